//! File → article → sections: finding the corpus files ([`walk`]), reading
//! one file ([`article`]: bytes, [`front_matter`], cleaned [`markup`]) and
//! splitting it into [`sections`] with their [`steps`].

pub mod article;
pub mod front_matter;
pub mod markup;
pub mod sections;
pub mod steps;
pub mod walk;
