//! Deterministic synthetic help articles in the shape of the real scraped
//! ones: YAML front matter, 5–20 `##`/`###` sections, lists, UI paths, a
//! Zipf-like word distribution, and the junk real articles carry (ad HTML
//! blocks, image lines, an "Also read" link list).

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// A small xorshift generator: deterministic for a seed, no dependency.
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Zipf-like pick in `0..n`: low indexes far more often.
    pub fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) - 1.0) as usize % n
    }
}

/// Common words, most frequent first (drives the Zipf distribution).
pub const COMMON: &[&str] = &[
    "the", "to", "and", "a", "of", "your", "you", "is", "in", "it", "on", "for", "that", "this", "with",
    "can", "if", "not", "be", "or", "will", "are", "from", "then", "when", "may", "have", "as", "all", "so",
    "by", "again", "after", "before", "still", "other", "some", "more", "also", "any", "new", "one", "two",
    "back", "again", "first", "make", "sure", "try", "check", "open", "tap", "select", "choose", "turn",
    "off", "on", "restart", "update",
];

/// Topic words of help articles.
pub const TOPIC: &[&str] = &[
    "phone",
    "iphone",
    "android",
    "settings",
    "message",
    "messages",
    "text",
    "network",
    "wifi",
    "bluetooth",
    "battery",
    "screen",
    "app",
    "apps",
    "account",
    "password",
    "email",
    "storage",
    "backup",
    "restore",
    "data",
    "photos",
    "contacts",
    "printer",
    "driver",
    "windows",
    "computer",
    "laptop",
    "update",
    "software",
    "version",
    "error",
    "code",
    "connection",
    "router",
    "signal",
    "sound",
    "audio",
    "speaker",
    "camera",
    "video",
    "file",
    "files",
    "folder",
    "cache",
    "reset",
    "restart",
    "reboot",
    "charge",
    "charging",
    "cable",
    "port",
    "device",
    "devices",
    "sync",
    "cloud",
    "drive",
    "disk",
    "memory",
    "keyboard",
    "mouse",
    "display",
    "notification",
    "notifications",
    "security",
    "privacy",
    "permission",
    "install",
    "uninstall",
    "download",
    "upload",
    "browser",
    "server",
    "delivered",
    "sending",
    "receiving",
    "blocked",
    "frozen",
    "slow",
    "crash",
    "crashing",
    "overheating",
    "offline",
    "disconnected",
    "missing",
    "corrupted",
    "deleted",
    "recover",
    "repair",
    "fix",
];

const MENUS: &[&str] = &[
    "Settings",
    "General",
    "Network & Internet",
    "Messages",
    "Privacy",
    "Storage",
    "Battery",
    "Apps",
    "Accounts",
    "Bluetooth",
    "Display",
    "Sound",
    "Software Update",
    "Reset",
    "Advanced",
    "System",
    "Devices",
    "Wi-Fi",
];

const HEADS: &[&str] = &[
    "Check the",
    "Restart the",
    "Update the",
    "Reset the",
    "Clear the",
    "Turn Off the",
    "Reinstall the",
    "Why Is the",
    "How to Fix the",
    "Test the",
    "Remove the",
    "Enable the",
];

fn word(rng: &mut Rng) -> &'static str {
    if rng.below(3) == 0 {
        TOPIC[rng.zipf(TOPIC.len())]
    } else {
        COMMON[rng.zipf(COMMON.len())]
    }
}

fn sentence(rng: &mut Rng) -> String {
    let n = 6 + rng.below(14);
    let mut s = String::new();
    for i in 0..n {
        let w = word(rng);
        if i == 0 {
            let mut c = w.chars();
            s.extend(c.next().map(|f| f.to_ascii_uppercase()));
            s.push_str(c.as_str());
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn title_case(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn ui_path(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    (0..n)
        .map(|_| MENUS[rng.below(MENUS.len())])
        .collect::<Vec<_>>()
        .join(" > ")
}

/// One article for index `i` of a corpus seeded with `seed`.
pub fn article(seed: u64, i: usize) -> String {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x1000_0000_01b3));
    let topic = TOPIC[rng.below(TOPIC.len())];
    let topic2 = TOPIC[rng.below(TOPIC.len())];
    let mut s = String::with_capacity(12_000);
    let title = format!(
        "How to Fix {} {} Problems ({i})",
        title_case(topic),
        title_case(topic2)
    );
    s.push_str(&format!(
        "---\ntitle: \"{title}\"\ndate: 2024-{:02}-{:02}T10:00:00.000Z\ntags:\n  - {topic}\n  - {topic2}\ncategories:\n  - {}\ndescription: This article explains {topic} and {topic2} problems.\n---\n\n",
        1 + rng.below(12),
        1 + rng.below(28),
        TOPIC[rng.below(TOPIC.len())]
    ));
    s.push_str(&format!(
        "## {title}\n\n{} {}\n\n",
        sentence(&mut rng),
        sentence(&mut rng)
    ));
    let sections = 5 + rng.below(16);
    for k in 0..sections {
        let level = if k > 0 && rng.below(3) == 0 { "###" } else { "##" };
        let head = HEADS[rng.below(HEADS.len())];
        s.push_str(&format!(
            "{level} {head} {} {}\n\n",
            title_case(word(&mut rng)),
            title_case(topic)
        ));
        for _ in 0..1 + rng.below(3) {
            let mut p = String::new();
            for _ in 0..2 + rng.below(4) {
                p.push_str(&sentence(&mut rng));
                p.push(' ');
            }
            s.push_str(p.trim_end());
            s.push_str("\n\n");
        }
        match rng.below(5) {
            0 => {
                for n in 1..=3 + rng.below(4) {
                    s.push_str(&format!("{n}\\. {}\n\n", sentence(&mut rng)));
                }
            }
            1 => {
                for _ in 0..3 + rng.below(4) {
                    s.push_str(&format!("- {}\n", sentence(&mut rng)));
                }
                s.push('\n');
            }
            2 => s.push_str(&format!("Go to **{}** and turn it on.\n\n", ui_path(&mut rng))),
            3 => s.push_str(&format!(
                "![{topic} screenshot](https://img.example.invalid/{i}/{k}.png)\n\n"
            )),
            _ => {}
        }
        if rng.below(4) == 0 {
            s.push_str(&format!(
                "<!-- affiliate ads begin -->\n<a href=\"https://ads.example.invalid/c/{i}{k}\" target=\"_top\">\n  <img src=\"//ads.example.invalid/display-ad/{k}\" border=\"0\" width=\"728\" height=\"90\"/>\n</a>\n<img height=\"0\" width=\"0\" src=\"https://ads.example.invalid/i/{i}\" style=\"position:absolute;visibility:hidden;\" border=\"0\" />\n<!-- affiliate ads end -->\n\n"
            ));
        }
    }
    s.push_str(
        "<ins class=\"adsbygoogle\"\n     style=\"display:block\"\n     data-ad-slot=\"123\"></ins>\n\n",
    );
    s.push_str("<span class=\"atpl-alsoreadstyle\">Also read:</span>\n<div><ul>\n");
    for _ in 0..8 {
        s.push_str(&format!(
            "<li><a href=\"https://other.example.invalid/{}\"><u>{} {} {}</u></a></li>\n",
            rng.next() % 100_000,
            title_case(word(&mut rng)),
            title_case(word(&mut rng)),
            title_case(word(&mut rng))
        ));
    }
    s.push_str("</ul></div>\n");
    s
}

/// Writes `n` articles into `dir` (100 per subfolder).
pub fn write_corpus(dir: &Path, n: usize, seed: u64) -> std::io::Result<u64> {
    let mut bytes = 0;
    for i in 0..n {
        let sub = dir.join(format!("part-{:04}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let text = article(seed, i);
        bytes += text.len() as u64;
        std::fs::File::create(sub.join(format!("article-{i:06}.md")))?.write_all(text.as_bytes())?;
    }
    Ok(bytes)
}

/// 200 problem-style queries over the generator's vocabulary (deterministic).
pub fn queries(seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let symptoms = [
        "won't",
        "keeps",
        "not working",
        "is slow",
        "stopped",
        "can't find",
        "how do i",
        "why is my",
        "missing",
        "after update",
    ];
    (0..200)
        .map(|_| {
            let a = TOPIC[rng.zipf(TOPIC.len())];
            let b = TOPIC[rng.below(TOPIC.len())];
            let s = symptoms[rng.below(symptoms.len())];
            match rng.below(3) {
                0 => format!("{a} {s} {b}"),
                1 => format!("{s} {a}"),
                _ => format!("my {a} {b} {s} after restart"),
            }
        })
        .collect()
}
