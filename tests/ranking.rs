//! Each ranking piece on its own, on small corpora written here.

mod util;

use fixdex::index::{IndexOptions, open_index, run_index};
use fixdex::search::{Answer, Engine, Ranking, SearchOptions};
use std::path::Path;
use util::*;

/// Writes `files` (path, content) into a corpus and opens an engine on it.
fn engine(dir: &Path, files: &[(&str, &str)]) -> Engine {
    let corpus = dir.join("corpus");
    for (path, text) in files {
        let p = corpus.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let opts = IndexOptions {
        corpus: corpus.clone(),
        index_dir: dir.join("index"),
        rebuild: false,
        ..IndexOptions::default()
    };
    run_index(&opts).unwrap();
    Engine::new(open_index(&dir.join("index")).unwrap(), Some(&corpus)).unwrap()
}

fn search(e: &Engine, q: &str) -> Answer {
    e.search(
        q,
        &SearchOptions {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap()
}

fn headings(a: &Answer) -> Vec<String> {
    a.hits.iter().map(|h| h.heading.clone()).collect()
}

fn article(title: &str, sections: &[(&str, &str)]) -> String {
    let mut s = format!("---\ntitle: {title}\n---\n\n");
    for (h, body) in sections {
        s.push_str(&format!("## {h}\n\n{body}\n\n"));
    }
    s
}

const FILLER: &str = "This paragraph exists so that the sections have similar lengths and ordinary words.";

#[test]
fn stemming_and_case_folding() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "a.md",
            &article(
                "Mail",
                &[
                    ("Outbox", "The messages were never delivered to the server."),
                    ("Other", FILLER),
                ],
            ),
        )],
    );
    for q in ["DELIVERING", "deliver", "Delivers"] {
        assert_eq!(headings(&search(&e, q))[0], "Outbox", "{q}");
    }
}

#[test]
fn contractions_match_long_forms() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "a.md",
            &article(
                "Printer",
                &[
                    ("Paper Jam", "The printer won't feed paper from the second tray."),
                    ("Ink", "The printer will feed paper but prints faded colours."),
                ],
            ),
        )],
    );
    for q in [
        "printer will not feed paper",
        "printer wont feed paper",
        "printer won’t feed paper",
    ] {
        let a = search(&e, q);
        assert_eq!(headings(&a)[0], "Paper Jam", "{q}");
    }
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "b.md",
            &article("Screen", &[("Lock", "You cannot unlock the screen.")]),
        )],
    );
    assert_eq!(headings(&search(&e, "can't unlock"))[0], "Lock");
}

#[test]
fn typos_are_corrected_with_a_suggestion_and_exact_words_win() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[
            (
                "a.md",
                &article(
                    "Network",
                    &[("Restart the Router", "Unplug the router and plug it back in.")],
                ),
            ),
            (
                "b.md",
                &article("Notes", &[("Odd Spelling", "Some people write ruoter instead.")]),
            ),
            (
                "c.md",
                &article(
                    "More",
                    &[(
                        "Router Lights",
                        "A blinking router light means it is busy. The router restarts.",
                    )],
                ),
            ),
        ],
    );
    let a = search(&e, "resart the roouter");
    assert_eq!(a.suggestion.as_deref(), Some("restart the router"));
    assert_eq!(headings(&a)[0], "Restart the Router");
    // A word that exists exactly beats its fuzzy neighbours.
    let a = search(&e, "ruoter");
    assert_eq!(headings(&a)[0], "Odd Spelling");
    assert!(a.suggestion.is_none());
    // Off: the typo finds nothing.
    let mut e = e;
    e.set_ranking(Ranking {
        fuzzy: 0.0,
        ..Ranking::default()
    });
    assert!(search(&e, "roouter").hits.is_empty());
}

#[test]
fn synonyms_built_in_and_from_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = engine(
        dir.path(),
        &[
            (
                "a.md",
                &article(
                    "Modem",
                    &[("Power", "Reboot the modem when the lights turn red.")],
                ),
            ),
            (
                "b.md",
                &article(
                    "Privacy",
                    &[("Remote Work", "Connect through the vpn before opening files.")],
                ),
            ),
            ("synonyms.txt", "# team words\ntunnel, vpn\n"),
        ],
    );
    assert_eq!(headings(&search(&e, "restart modem"))[0], "Power");
    assert_eq!(headings(&search(&e, "tunnel"))[0], "Remote Work");
    e.set_ranking(Ranking {
        synonym: 0.0,
        ..Ranking::default()
    });
    assert!(search(&e, "tunnel").hits.is_empty());
    assert!(!search(&e, "restart").hits.iter().any(|h| h.heading == "Power"));
}

#[test]
fn own_words_outrank_synonyms() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "a.md",
            &article(
                "Phone",
                &[
                    ("Reboot", "Reboot the phone to clear the cache."),
                    ("Restart", "Restart the phone to clear the cache."),
                ],
            ),
        )],
    );
    assert_eq!(headings(&search(&e, "restart phone"))[0], "Restart");
    assert_eq!(headings(&search(&e, "reboot phone"))[0], "Reboot");
}

#[test]
fn proximity_prefers_words_standing_together() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[
            (
                "a.md",
                &article(
                    "Tips A",
                    &[(
                        "Scattered",
                        "The battery icon is green. Later the screen may drain slowly while you read this text.",
                    )],
                ),
            ),
            (
                "b.md",
                &article(
                    "Tips B",
                    &[(
                        "Together",
                        "The icon is green. Later the battery drain slowly shows while the screen is on for text.",
                    )],
                ),
            ),
        ],
    );
    assert_eq!(headings(&search(&e, "battery drain"))[0], "Together");
    let mut e = e;
    e.set_ranking(Ranking {
        proximity: 0.0,
        ..Ranking::default()
    });
    let a = search(&e, "battery drain");
    let diff = (a.hits[0].score - a.hits[1].score).abs();
    assert!(
        diff < 0.05 * a.hits[0].score,
        "without proximity the two are close: {diff}"
    );
}

#[test]
fn heading_outranks_title_outranks_body() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[
            (
                "a.md",
                &article(
                    "General Help",
                    &[(
                        "Bluetooth Pairing",
                        "Hold the button until the lamp blinks twice.",
                    )],
                ),
            ),
            (
                "b.md",
                &article(
                    "Bluetooth Guide",
                    &[(
                        "Getting Started",
                        "Charge the earbuds fully before the first use.",
                    )],
                ),
            ),
            (
                "c.md",
                &article(
                    "Misc",
                    &[("Accessories", "Cases and cables; bluetooth may help too.")],
                ),
            ),
        ],
    );
    assert_eq!(
        headings(&search(&e, "bluetooth")),
        vec!["Bluetooth Pairing", "Getting Started", "Accessories"]
    );
}

#[test]
fn stop_words_do_not_empty_a_query_and_negation_counts() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "a.md",
            &article(
                "Sync",
                &[
                    ("It Syncs", "When it works the phone syncs every hour."),
                    (
                        "Why Is It Not Syncing",
                        "It is not syncing because the account is paused.",
                    ),
                ],
            ),
        )],
    );
    assert!(!search(&e, "why is it").hits.is_empty());
    assert_eq!(
        headings(&search(&e, "why is it not syncing"))[0],
        "Why Is It Not Syncing"
    );
    assert_eq!(headings(&search(&e, "not syncing"))[0], "Why Is It Not Syncing");
}

#[test]
fn naming_an_article_brings_its_lead_first_then_its_sections() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![];
    let big = article(
        "Calendar Sync Guide",
        &[
            (
                "Calendar Sync Guide",
                "An overview of how calendar sync works between your devices.",
            ),
            ("Accounts", "Calendar sync needs an account on each device."),
            (
                "Conflicts",
                "Calendar sync resolves conflicts by keeping the newest change.",
            ),
            ("Sharing", "Shared calendar sync follows the owner's settings."),
        ],
    );
    files.push(("guide.md", big.as_str()));
    let other = article(
        "Mail Sync",
        &[("Folders", "Mail folders sync like a calendar would.")],
    );
    files.push(("mail.md", other.as_str()));
    let e = engine(dir.path(), &files);
    let a = search(&e, "calendar sync guide");
    assert_eq!(a.hits[0].heading, "Calendar Sync Guide");
    assert_eq!(a.hits[0].id, "guide.md#calendar-sync-guide");
    // The named article leads: its other sections follow its lead (each
    // is about what was named), and the other article still comes after.
    let paths: Vec<&str> = a.hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths[..4], ["guide.md"; 4], "{:?}", headings(&a));
    assert_eq!(paths.get(4), Some(&"mail.md"), "{:?}", headings(&a));
}

#[test]
fn confidence_measures_the_matched_share_and_gates_answers() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "a.md",
            &article(
                "Audio",
                &[
                    (
                        "Headphones Crackle",
                        "Crackling headphones often mean a loose jack.",
                    ),
                    ("Other", FILLER),
                ],
            ),
        )],
    );
    let full = search(&e, "headphones crackle");
    assert!((full.hits[0].confidence - 1.0).abs() < 1e-6);
    let part = search(&e, "headphones crackle zebra");
    assert!(
        part.hits[0].confidence < 0.8 && part.hits[0].confidence > 0.2,
        "{}",
        part.hits[0].confidence
    );
    let gated = e
        .search(
            "headphones crackle zebra",
            &SearchOptions {
                min_confidence: 0.9,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(gated.hits.is_empty());
}

#[test]
fn explain_gives_score_contributions() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "a.md",
            &article("Audio", &[("Headphones", "Crackling headphones.")]),
        )],
    );
    let a = e
        .search(
            "headphones",
            &SearchOptions {
                explain: true,
                ..Default::default()
            },
        )
        .unwrap();
    let ex = a.hits[0].explain.as_ref().unwrap();
    let terms = ex["terms"].as_array().unwrap();
    let fields: Vec<&str> = terms.iter().map(|t| t["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"heading") && fields.contains(&"text"), "{ex}");
    assert!(
        terms
            .iter()
            .all(|t| t["term"] == "headphon" && t["score"].as_f64().unwrap() > 0.0)
    );
    let sum: f64 = terms.iter().map(|t| t["score"].as_f64().unwrap()).sum();
    assert!((sum - ex["term_score"].as_f64().unwrap()).abs() < 1e-3);
    assert_eq!(ex["coverage"], 1.0);
}

#[test]
fn command_line_confidence_and_explain() {
    let dir = shipped_copy();
    let o = run(fixdex(dir.path()).args(["query", "--json", "--explain", "reset all settings"]));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["hits"][0]["explain"].is_object());
    let o = run(fixdex(dir.path()).args([
        "query",
        "--min-confidence",
        "0.99",
        "reset all zebra giraffe settings",
    ]));
    assert_eq!(code(&o), 1);
}

fn shipped_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_corpus(), &dir.path().join("corpus"));
    dir
}

#[test]
fn misspelled_shipped_query_finds_undelivered_imessages() {
    let dir = shipped_copy();
    let o = run(fixdex(dir.path()).args(["query", "imesage not delivred", "--json"]));
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["suggestion"], "imessage not delivered");
    let h = v["hits"][0]["heading"].as_str().unwrap().to_lowercase();
    assert!(h.contains("imessage") && h.contains("deliver"), "{h}");
}

#[test]
fn coverage_counts_every_query_word_alike() {
    // "webcam" is rare, "blurry" and "picture" are common. A section that
    // answers two of the three words beats one that answers only the rare
    // word; weighting coverage by rarity would turn that around.
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = vec![(
        "cam.md".into(),
        article(
            "Camera help",
            &[
                (
                    "Webcam stays dark",
                    "Open the privacy settings and allow the camera again.",
                ),
                (
                    "Blurry picture",
                    "Wipe the lens and let the camera focus before the next shot.",
                ),
            ],
        ),
    )];
    for i in 0..4 {
        files.push((
            format!("other{i}.md"),
            article(
                &format!("Other topic {i}"),
                &[
                    (
                        &format!("Blurry print {i}"),
                        "A blurry print comes from a dirty drum.",
                    ),
                    (
                        &format!("Pale picture {i}"),
                        "The picture looks pale when night mode is on.",
                    ),
                ],
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut e = engine(dir.path(), &refs);
    let q = "blurry webcam picture";
    assert_eq!(headings(&search(&e, q))[0], "Blurry picture");
    e.set_ranking(Ranking {
        coverage_idf: 1.0,
        ..Ranking::default()
    });
    assert_eq!(headings(&search(&e, q))[0], "Webcam stays dark");
}

#[test]
fn sibling_sections_are_told_apart_by_what_the_title_does_not_say() {
    let dir = tempfile::tempdir().unwrap();
    // The article's topic (the Zephyr 7 lamp) is in its title; the question
    // names the topic and one specific thing, which only "Box contents" covers.
    let e = engine(
        dir.path(),
        &[(
            "lamp.md",
            &article(
                "Zephyr 7 Desk Lamp Review",
                &[
                    (
                        "Overview",
                        "The Zephyr 7 is a desk lamp with a tall arm and a heavy base.",
                    ),
                    (
                        "Other lamps worth a look",
                        "Another desk lamp we liked has a shorter arm.",
                    ),
                    (
                        "Box contents",
                        "The lamp ships with its base, the arm and a small screwdriver.",
                    ),
                    ("Verdict", FILLER),
                ],
            ),
        )],
    );
    // The piece on its own: with the article step, "Other lamps worth a
    // look" (a heading word every sibling's body repeats) comes first here.
    let q = "does the zephyr 7 desk lamp come with a screwdriver";
    let mut e = e;
    e.set_ranking(Ranking {
        article: 0.0,
        ..Ranking::default()
    });
    assert_eq!(headings(&search(&e, q))[0], "Box contents");
    e.set_ranking(Ranking {
        specific: 0.0,
        article: 0.0,
        ..Ranking::default()
    });
    let off = headings(&search(&e, q));
    assert_ne!(off[0], "Box contents", "this case needs the piece: {off:?}");
}

#[test]
fn question_forms_raise_sections_headed_the_way_the_question_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "sync.md",
            &article(
                "Calendar sync",
                &[
                    (
                        "Sync problems",
                        "Calendar sync stops after the phone sleeps for a while.",
                    ),
                    (
                        "Causes",
                        "Calendar sync stops when battery saving ends background work.",
                    ),
                    (
                        "What is calendar sync?",
                        "It copies events between the phone and the server.",
                    ),
                    (
                        "Fixes",
                        "Turn battery saving off for the calendar so sync keeps running.",
                    ),
                ],
            ),
        )],
    );
    assert_eq!(headings(&search(&e, "why does calendar sync stop"))[0], "Causes");
    assert_eq!(
        headings(&search(&e, "what is calendar sync"))[0],
        "What is calendar sync?"
    );
    let mut e = e;
    e.set_ranking(Ranking {
        question: 0.0,
        ..Ranking::default()
    });
    assert_ne!(headings(&search(&e, "why does calendar sync stop"))[0], "Causes");
}

/// Articles whose topic every section repeats, and whose first heading
/// re-states the title, as scraped review and how-to articles do.
fn topic_articles(dir: &Path) -> Engine {
    engine(
        dir,
        &[
            (
                "desk.md",
                &article(
                    "Orbit X2 Review: Our Verdict",
                    &[
                        (
                            "Orbit X2 Review: Is This Standing Desk Worth It?",
                            "The Orbit X2 is a standing desk with two motors. We used the desk for a month.",
                        ),
                        (
                            "Other standing desks to consider",
                            "If the Orbit X2 desk is too dear, these standing desks cost less.",
                        ),
                        (
                            "Assembly",
                            "The desk arrived in two boxes. An allen wrench for the bolts was included.",
                        ),
                        (
                            "Motors and noise",
                            "The desk motors are quiet, and the desk rises quickly.",
                        ),
                        ("Verdict", "A good desk for the money."),
                    ],
                ),
            ),
            (
                "router.md",
                &article(
                    "Set up quiet hours on the Nimbus router",
                    &[
                        (
                            "No Wireless at Night: A Nimbus Router Guide",
                            "Quiet hours pause the Nimbus router's wireless at night. You set quiet hours in the Nimbus app.",
                        ),
                        (
                            "1. Open the app",
                            "Open the Nimbus app on your phone and sign in.",
                        ),
                        (
                            "2. Pick a schedule",
                            "Choose a start and an end time; the wireless is off between them.",
                        ),
                        (
                            "3. Exclude a device",
                            "Tap Exceptions and choose each device that stays connected at night.",
                        ),
                        ("4. Save", "Tap Save and the schedule starts tonight."),
                    ],
                ),
            ),
        ],
    )
}

#[test]
fn the_article_topic_does_not_choose_between_sibling_sections() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = topic_articles(dir.path());
    let cases = [
        // "desk" is in every section and in a sibling's heading; only
        // Assembly says "allen wrench".
        ("does the orbit x2 desk come with an allen wrench", "Assembly"),
        // The steps never name the topic; the first heading does.
        (
            "nimbus quiet hours keep one device connected at night",
            "3. Exclude a device",
        ),
    ];
    for (q, want) in cases {
        assert_eq!(headings(&search(&e, q))[0], want, "{q}");
    }
    e.set_ranking(Ranking {
        article: 0.0,
        ..Ranking::default()
    });
    let off: Vec<String> = cases
        .iter()
        .map(|(q, _)| headings(&search(&e, q))[0].clone())
        .collect();
    assert!(
        cases.iter().zip(&off).any(|((_, want), got)| want != got),
        "these cases need the article step: {off:?}"
    );
}

#[test]
fn the_first_heading_names_the_article_not_a_section() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = topic_articles(dir.path());
    // "wireless" and "night" are in the first heading, not in the title.
    let q = "wireless at night guide, keep one device connected";
    assert_eq!(headings(&search(&e, q))[0], "3. Exclude a device");
    e.set_ranking(Ranking {
        lead_topic: false,
        ..Ranking::default()
    });
    let off = headings(&search(&e, q));
    assert_ne!(
        off[0], "3. Exclude a device",
        "this case needs the lead rule: {off:?}"
    );
}

#[test]
fn every_section_of_the_right_article_is_reachable_in_the_top_ten() {
    let dir = tempfile::tempdir().unwrap();
    let e = topic_articles(dir.path());
    // Two sections per article are listed first; a third that answers
    // better than the other article's sections still comes before them.
    let a = search(&e, "nimbus app: choose start time, exclude device, save schedule");
    let h = headings(&a);
    for want in ["2. Pick a schedule", "3. Exclude a device", "4. Save"] {
        assert!(h.iter().any(|x| x == want), "{want} missing from {h:?}");
    }
}

#[test]
fn a_leading_articles_sections_come_before_a_distant_articles_best() {
    let dir = tempfile::tempdir().unwrap();
    let body = |words: &str| format!("{words} {FILLER}");
    let mut e = engine(
        dir.path(),
        &[
            (
                "printer.md",
                &article(
                    "Printer error E7 while printing",
                    &[
                        (
                            "Printer error E7 while printing",
                            &body(
                                "Error E7 stops the printer while printing. The printer shows error E7 for a few reasons; the fixes follow.",
                            ),
                        ),
                        (
                            "Why the printer shows error E7",
                            &body(
                                "The printer shows error E7 when printing stops: a jam, low ink, or an old printer driver.",
                            ),
                        ),
                        (
                            "Fix 1: Update the printer driver",
                            &body(
                                "Install the newest printer driver, then restart the printer and try printing again.",
                            ),
                        ),
                        (
                            "Fix 2: Replace the ink cartridge",
                            &body(
                                "When ink runs low the printer may show error E7; replace the cartridge and try printing again.",
                            ),
                        ),
                        (
                            "Fix 3: Clear the paper path",
                            &body("Open the cover and pull out any jammed paper, then close the cover."),
                        ),
                    ],
                ),
            ),
            (
                "scanner.md",
                &article(
                    "Scanner basics",
                    &[(
                        "Feeding paper to the scanner",
                        &body(
                            "Put the paper in the feeder face down; if paper is jammed, open the feeder lid.",
                        ),
                    )],
                ),
            ),
        ],
    );
    let q = "printer error e7, paper is jammed";
    let paths = |a: &Answer| a.hits.iter().map(|h| h.path.clone()).collect::<Vec<_>>();
    // The printer article leads by far: every one of its fixes is listed
    // before the scanner page, which scores above two of them.
    let a = search(&e, q);
    assert_eq!(a.hits[1].heading, "Fix 3: Clear the paper path");
    assert_eq!(
        paths(&a),
        [&["printer.md"; 5][..], &["scanner.md"]].concat(),
        "{:?}",
        headings(&a)
    );
    assert!(a.hits[5].score > a.hits[4].score, "{:?}", headings(&a));
    // `--explain` says why the lower score comes first.
    let explained = e
        .search(
            q,
            &SearchOptions {
                limit: 10,
                explain: true,
                ..Default::default()
            },
        )
        .unwrap();
    let leads = |i: usize| explained.hits[i].explain.as_ref().unwrap()["leading_article"].clone();
    assert_eq!(
        (leads(4), leads(5)),
        (serde_json::json!(true), serde_json::json!(false))
    );
    e.set_ranking(Ranking {
        leading: 0.0,
        ..Ranking::default()
    });
    let off = search(&e, q);
    assert_eq!(off.hits[2].path, "scanner.md", "{:?}", headings(&off));
}

#[test]
fn the_question_forms_own_words_do_not_pick_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[
            (
                "meters.md",
                &article(
                    "Smart meters",
                    &[(
                        "What is a smart meter?",
                        "A smart meter records the power a home uses and reports it to the supplier.",
                    )],
                ),
            ),
            (
                "readings.md",
                &article(
                    "Meter readings",
                    &[(
                        "Send a smart meter reading",
                        "The app reads the smart meter and sends exactly the figure the supplier needs.",
                    )],
                ),
            ),
        ],
    );
    let q = "what exactly is a smart meter";
    assert_eq!(headings(&search(&e, q))[0], "What is a smart meter?");
    let mut e = e;
    e.set_ranking(Ranking {
        question: 0.0,
        ..Ranking::default()
    });
    assert_eq!(headings(&search(&e, q))[0], "Send a smart meter reading");
}

#[test]
fn a_leading_article_lists_the_fix_behind_its_overview_and_introduction() {
    let dir = tempfile::tempdir().unwrap();
    let body = |words: &str| format!("{words} {FILLER}");
    let e = engine(
        dir.path(),
        &[
            (
                "scanner.md",
                &article(
                    "Scanner not detected",
                    &[
                        (
                            "Scanner not detected",
                            &body(
                                "The scanner is not detected by the computer. A loose cable, an old driver or a dropped network are the usual reasons.",
                            ),
                        ),
                        (
                            "Causes of a scanner not detected",
                            &body(
                                "A scanner is not detected when its cable is loose, its driver is old or the network drops.",
                            ),
                        ),
                        (
                            "Reseat the cable",
                            &body(
                                "Unplug the cable from the scanner, wait, and push it back until it clicks, so that it is no longer loose.",
                            ),
                        ),
                        (
                            "Update the driver",
                            &body("Install the newest driver from the maker of the scanner."),
                        ),
                    ],
                ),
            ),
            (
                "fax.md",
                &article(
                    "Fax settings",
                    &[(
                        "Fax cable",
                        &body("The fax needs a phone cable, not a network cable; a loose cable drops calls."),
                    )],
                ),
            ),
        ],
    );
    let q = "scanner not detected loose cable";
    let opts = SearchOptions {
        limit: 3,
        ..Default::default()
    };
    // The overview and the introduction come first; the fix is the
    // article's third section and still outscores the other article.
    let found = headings(&e.search(q, &opts).unwrap());
    assert_eq!(
        found,
        [
            "Causes of a scanner not detected",
            "Scanner not detected",
            "Reseat the cable"
        ]
    );
    let mut e = e;
    e.set_ranking(Ranking {
        leading: 0.0,
        ..Ranking::default()
    });
    let strict = headings(&e.search(q, &opts).unwrap());
    assert_eq!(strict[2], "Fax cable", "{strict:?}");
}

#[test]
fn a_what_is_question_is_answered_by_a_definition_not_any_heading_with_what() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[(
            "token.md",
            &article(
                "Sync token errors",
                &[
                    (
                        "What caused the sync token error?",
                        "A sync token used after weeks offline has expired.",
                    ),
                    (
                        "About the sync token",
                        "The sync token tells the server which changes the device already has.",
                    ),
                ],
            ),
        )],
    );
    let q = "what is the sync token used for";
    assert_eq!(headings(&search(&e, q))[0], "About the sync token");
    assert_eq!(
        headings(&search(&e, "what caused the sync token error"))[0],
        "What caused the sync token error?"
    );
}

#[test]
fn a_rare_real_word_is_not_read_as_a_common_word_with_another_first_letter() {
    let dir = tempfile::tempdir().unwrap();
    // "sleep" and "date" are common; "asleep" and "late" are rare.
    let mut files: Vec<(String, String)> = (0..24)
        .map(|i| {
            let body = format!("Set the date of reminder {i}. The screen may sleep after a while.");
            (
                format!("r{i}.md"),
                article(&format!("Reminder {i}"), &[("Reminder", &body)]),
            )
        })
        .collect();
    files.push((
        "late.md".into(),
        article(
            "Messages",
            &[("Texts arrive late", "Texts arrive hours late on a weak signal.")],
        ),
    ));
    files.push((
        "nap.md".into(),
        article(
            "Power",
            &[(
                "Stop the screen dimming",
                "A laptop left asleep keeps its apps open.",
            )],
        ),
    ));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let e = engine(dir.path(), &refs);
    // "late" is not also read as "date": only the section about late texts
    // matches it, so nothing else outranks it.
    let a = search(&e, "hours late");
    assert_eq!(headings(&a), ["Texts arrive late"]);
    // "asleep" is still also read as "sleep" (one letter dropped, not swapped).
    let a = search(&e, "asleep");
    assert!(headings(&a).len() > 1, "{:?}", headings(&a));
}

/// An article with front matter tags, one section.
fn tagged(title: &str, tags: &str, heading: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ntags: [{tags}]\n---\n\n## {heading}\n\n{body}\n")
}

#[test]
fn an_articles_tags_raise_its_sections_and_alone_still_find_them() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        dir.path(),
        &[
            (
                "a.md",
                &tagged(
                    "Paper jams",
                    "printer",
                    "Clearing a jam",
                    "Open the cover and pull the stuck paper out of the printer.",
                ),
            ),
            (
                "b.md",
                &tagged(
                    "Paper jams",
                    "office",
                    "Clearing a jam",
                    "Open the lid and pull the stuck paper out of the printer.",
                ),
            ),
            (
                "c.md",
                &tagged(
                    "Cleaning glass",
                    "printer",
                    "Wipe the glass",
                    "Use a soft cloth and no spray.",
                ),
            ),
        ],
    );
    // The same words in texts of the same length: the tag decides.
    let a = search(&e, "printer stuck paper");
    let score = |path: &str| a.hits.iter().find(|h| h.path == path).map(|h| h.score).unwrap();
    assert!(score("a.md") > score("b.md"), "{:?}", headings(&a));
    assert_eq!(a.hits[0].path, "a.md");
    // An article that holds a word only in its tags is still found, below
    // those whose sections say it.
    let a = search(&e, "printer");
    assert_eq!(headings(&a).len(), 3, "{:?}", headings(&a));
    assert_eq!(a.hits[2].heading, "Wipe the glass");
}

#[test]
fn a_synonym_raises_a_candidate_in_a_full_pool_and_alone_still_finds_sections() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = vec![
        (
            "a.md".into(),
            article(
                "Printer help",
                &[("Restart the printer", "Restart the printer and wait a minute.")],
            ),
        ),
        (
            "b.md".into(),
            article(
                "Printer help",
                &[(
                    "Reboot the printer",
                    "Reboot the printer and then check the paper tray again.",
                )],
            ),
        ),
        (
            "c.md".into(),
            article(
                "Printer help",
                &[(
                    "Unplug the printer",
                    "Unplug the printer and then check the toner cartridge.",
                )],
            ),
        ),
    ];
    // More distinct texts about printers than the search keeps as
    // candidates: the synonym is scored on the candidates only.
    for i in 0..150 {
        // Three made-up words per note, each different in every note.
        let word = |k: usize| -> String {
            let mut n = i * 31 + k * 9973;
            (0..4)
                .map(|_| {
                    let c = char::from(b'a' + (n % 26) as u8);
                    n /= 26;
                    c
                })
                .collect()
        };
        let (words, w2, w3) = (word(0), word(1), word(2));
        files.push((
            format!("n{i:03}.md"),
            article(
                &format!("Note {words}"),
                &[(
                    &format!("Note {words}"),
                    &format!("The {words} tray holds {w2} sheets while the printer feeds {w3} pages for the team on most days of the week."),
                )],
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut e = engine(dir.path(), &refs);
    let a = search(&e, "restart printer");
    assert_eq!(
        headings(&a)[..3],
        ["Restart the printer", "Reboot the printer", "Unplug the printer"],
        "{:?}",
        headings(&a)
    );
    // The synonym's score counts, not only its share of the query.
    let reboot = |a: &Answer| {
        a.hits
            .iter()
            .find(|h| h.heading == "Reboot the printer")
            .unwrap()
            .score
    };
    let scored = reboot(&a);
    e.set_ranking(Ranking {
        synonym: 1e-4,
        ..Ranking::default()
    });
    let faint = reboot(&search(&e, "restart printer"));
    assert!(scored > faint * 1.2, "{scored} vs {faint}");
    // A section that holds only a synonym of the query's word is found.
    e.set_ranking(Ranking::default());
    let a = search(&e, "restart");
    assert_eq!(headings(&a), ["Restart the printer", "Reboot the printer"]);
}

#[test]
fn the_copy_of_a_republished_text_whose_title_holds_a_synonym_stands_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let body = "Open the tool, pick the file you made and follow the wizard to the end.";
    let mut files: Vec<(String, String)> = vec![
        (
            "x.md".into(),
            article("Recovering files", &[("Using the tool", body)]),
        ),
        (
            "y.md".into(),
            article(
                "Archive notes for every backup job you will ever run",
                &[("Using the tool", body)],
            ),
        ),
    ];
    // Titles that make "backup" a common title word.
    for i in 0..5 {
        files.push((
            format!("b{i}.md"),
            article(
                &format!("Backup plan {i}"),
                &[("Schedule", &format!("Plan number {i} runs at night."))],
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let e = engine(dir.path(), &refs);
    // By the words alone y's copy wins (its long title holds "backup");
    // x's short title holds "recovering", a synonym of "restore", which
    // weighs more: x's copy stands for the text.
    let a = search(&e, "restore a backup with the tool");
    assert_eq!(a.hits[0].path, "x.md", "{:?}", a.hits);
    assert_eq!(a.hits[0].also_in, ["y.md#using-the-tool"]);
}

#[test]
fn a_guide_republished_under_many_product_names_is_one_answer_and_leaves_room_for_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = Vec::new();
    // One guide re-published for 150 phones: the phone's name and number in
    // every paragraph, so no two copies have the same text.
    for i in 0..150 {
        let name = format!("Phone{} {}", char::from(b'A' + (i % 26) as u8), 100 + i);
        let body = |what: &str| {
            format!(
                "When the transfer from the {name} stalls, the wireless link {what} and the copy \
                 stops halfway. Keep both devices close and charged, restart the transfer, and \
                 check that the {name} stays on the same network until the copy has finished."
            )
        };
        let sections = [
            (format!("Transfer problems with the {name}"), body("drops")),
            (format!("When the {name} transfer stalls"), body("fails")),
        ];
        let sections: Vec<(&str, &str)> = sections.iter().map(|(h, b)| (h.as_str(), b.as_str())).collect();
        files.push((
            format!("guide-{i:03}.md"),
            article(&format!("Moving data off the {name}"), &sections),
        ));
    }
    // Ten other notes, each a different text on the same problem.
    for i in 0..10 {
        let w = [
            "cable", "router", "battery", "storage", "account", "update", "screen", "backup", "sim", "app",
        ][i];
        files.push((
            format!("note-{i}.md"),
            article(
                &format!("Note on the {w}"),
                &[(
                    &format!("Check the {w}"),
                    &format!("A transfer that stalls can come from the {w}; look at the {w} first."),
                )],
            ),
        ));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let e = engine(dir.path(), &files);
    let a = search(&e, "transfer stalls halfway");
    // Ten hits as asked: the guide's two texts at most once each, the
    // notes after them.
    assert_eq!(a.hits.len(), 10, "{:?}", headings(&a));
    let notes = a.hits.iter().filter(|h| h.path.starts_with("note-")).count();
    assert!(notes >= 8, "{:?}", headings(&a));
    // The copies under the other names are listed with the hit.
    assert_eq!(a.hits[0].also_in.len(), 20, "{:?}", a.hits[0].also_in);
    assert!(a.hits[0].also_in.iter().all(|id| id.starts_with("guide-")));
}

#[test]
fn each_hit_lists_the_copies_of_its_own_text() {
    let dir = tempfile::tempdir().unwrap();
    // Three texts, each copied into four files whose names interleave
    // (a-0, b-0, c-0, a-1, …), so the ids of the hits' copies sit side by
    // side in the index's id dictionary.
    let texts = [
        (
            "Reset the router",
            "Unplug the router for a minute to reset the modem link.",
        ),
        (
            "Reset the printer",
            "Hold the printer button to reset the paper feed and the modem.",
        ),
        (
            "Reset the camera",
            "Remove the camera battery to reset the lens and the modem.",
        ),
    ];
    let mut files: Vec<(String, String)> = Vec::new();
    for copy in 0..4 {
        for (t, (heading, body)) in texts.iter().enumerate() {
            let name = format!("{}-{copy}.md", ["a", "b", "c"][t]);
            files.push((name, article(&format!("Help page {copy}"), &[(heading, body)])));
        }
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let e = engine(dir.path(), &refs);
    let a = search(&e, "reset the modem");
    assert_eq!(a.hits.len(), 3, "{:?}", headings(&a));
    for hit in &a.hits {
        let letter = &hit.path[..1];
        let mut expected: Vec<String> = (0..4)
            .map(|copy| format!("{letter}-{copy}.md#{}", hit.id.split('#').nth(1).unwrap()))
            .filter(|id| *id != hit.id)
            .collect();
        expected.sort();
        assert_eq!(hit.also_in, expected, "{}", hit.id);
    }
}

#[test]
fn a_common_word_counts_on_the_candidates_as_it_would_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    // 24 articles of 10 sections: two texts in three hold "reset", every
    // other one "router", so "router" alone finds more candidates than the
    // search keeps and "reset" (the more common) is scored on them only.
    let vocab = [
        "cable", "light", "panel", "screen", "driver", "folder", "window", "account", "battery", "signal",
        "update", "button", "system", "network", "storage", "printer", "camera", "speaker", "monitor",
        "keyboard",
    ];
    let mut seed = 7u64;
    let mut files: Vec<(String, String)> = Vec::new();
    for a in 0..24 {
        let mut sections: Vec<(String, String)> = Vec::new();
        for s in 0..10 {
            let mut words: Vec<String> = (0..12)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    vocab[(seed >> 33) as usize % vocab.len()].to_string()
                })
                .collect();
            words.push(format!("part{a}x{s}"));
            if (a * 10 + s) % 3 != 0 {
                words.push("reset".into());
            }
            if (a * 10 + s) % 2 == 0 {
                words.push("router".into());
            }
            sections.push((format!("Section {a} {s}"), words.join(" ")));
        }
        let refs: Vec<(&str, &str)> = sections.iter().map(|(h, b)| (h.as_str(), b.as_str())).collect();
        files.push((format!("a{a}.md"), article(&format!("Manual {a}"), &refs)));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut e = engine(dir.path(), &refs);
    let query = "reset the router";
    let mut answers = Vec::new();
    for common in [0.5, 1.0] {
        e.set_ranking(Ranking {
            common,
            ..Ranking::default()
        });
        answers.push(search(&e, query));
    }
    let (spared, everywhere) = (&answers[0], &answers[1]);
    // Sections holding either word, whichever way: 160 with "reset", and
    // the 40 of the others with "router".
    assert_eq!(spared.total, 200);
    assert_eq!(everywhere.total, 200);
    let ids = |a: &Answer| a.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(spared), ids(everywhere));
    for (s, e) in spared.hits.iter().zip(&everywhere.hits) {
        assert!(
            (s.score - e.score).abs() <= 1e-3 * e.score.abs(),
            "{}: {} vs {}",
            s.id,
            s.score,
            e.score
        );
    }
}
