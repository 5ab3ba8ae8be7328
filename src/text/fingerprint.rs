//! Near-duplicate detection for sections: a 64-bit SimHash over word
//! 3-shingles of the cleaned text.
//!
//! Two sections whose hashes differ in at most [`MAX_DISTANCE`] bits are the
//! same text for the reader (re-published copies, templated articles that
//! differ by a model name), and a result list shows them once.

/// SimHash distance up to which two sections are compared exactly. A one-word
/// change in a 50-word section moves the hash by about 8 bits; unrelated
/// texts sit near 32.
pub const CANDIDATE_DISTANCE: u32 = 18;

/// Share of shared word 3-shingles (Jaccard) from which two sections are the
/// same text for the reader: re-published copies score near 1.0, templated
/// pages that differ in a device name about 0.7–0.9.
pub const MIN_JACCARD: f32 = 0.6;

/// Fewest words written all in lower case that give a text a family of
/// its own (see [`family`]); fewer, and different short texts ("tap Save
/// and then tap OK") could share one.
pub const MIN_FAMILY_WORDS: usize = 20;

/// The key that the copies of a templated text share: a hash of its words
/// written all in lower case, in order. A re-publisher that puts another
/// product's name into every paragraph changes capitalised words and
/// numbers ("Honor 100 Pro", "iPhone 15") and leaves the others alone, so
/// such copies share the key even where their SimHashes differ by 18 bits.
/// A text with fewer than [`MIN_FAMILY_WORDS`] such words, or where they
/// are not at least half of its words (lists of names, specifications), is
/// a family of its own: the key is its SimHash `sim`.
pub fn family(text: &str, sim: u64) -> u64 {
    let mut h = FNV_START;
    let (mut lower, mut all) = (0usize, 0usize);
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        all += 1;
        if !w.chars().all(char::is_lowercase) {
            continue;
        }
        lower += 1;
        h = mix(h ^ word_hash(w));
    }
    if lower < MIN_FAMILY_WORDS || 2 * lower < all {
        return sim;
    }
    h
}

/// The SimHash of a text: word 3-shingles (or single words for very short
/// texts), lower-cased, each hashed with a 64-bit FNV-1a hash.
pub fn simhash(text: &str) -> u64 {
    // All lower-cased words in one buffer (one allocation, not one per word).
    let mut buf = String::with_capacity(text.len());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let from = buf.len();
        if w.is_ascii() {
            buf.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            buf.push_str(&w.to_lowercase());
        }
        spans.push((from, buf.len()));
    }
    if spans.is_empty() {
        return 0;
    }
    let word = |i: usize| &buf.as_bytes()[spans[i].0..spans[i].1];
    let mut bits = BitCounts::default();
    if spans.len() < 3 {
        for i in 0..spans.len() {
            bits.add(fnv1a(word(i), 0));
        }
    } else {
        for i in 0..spans.len() - 2 {
            let mut h = fnv1a(word(i), 0);
            h = fnv1a(word(i + 1), h);
            h = fnv1a(word(i + 2), h);
            bits.add(h);
        }
    }
    bits.majority()
}

/// How many of the hashes added so far have each of the 64 bits set.
///
/// Counted eight bits at a time: each byte of a hash is spread by a table
/// into a word with one byte per bit, and those words are summed, so one
/// hash costs eight additions instead of 64. The byte counters are emptied
/// into the totals before they can overflow.
struct BitCounts {
    lanes: [u64; 8],
    pending: u32,
    totals: [u32; 64],
    added: u32,
}

/// `SPREAD[b]` has byte `i` set to bit `i` of `b`.
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b] |= (((b >> i) & 1) as u64) << (8 * i);
            i += 1;
        }
        b += 1;
    }
    t
};

impl Default for BitCounts {
    fn default() -> Self {
        BitCounts {
            lanes: [0; 8],
            pending: 0,
            totals: [0; 64],
            added: 0,
        }
    }
}

impl BitCounts {
    fn add(&mut self, h: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[((h >> (8 * k)) & 0xff) as usize];
        }
        self.added += 1;
        self.pending += 1;
        if self.pending == 255 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for i in 0..8 {
                self.totals[8 * k + i] += ((*lane >> (8 * i)) & 0xff) as u32;
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// The bits set in more than half of the hashes.
    fn majority(mut self) -> u64 {
        self.flush();
        (0..64)
            .filter(|&bit| 2 * self.totals[bit] > self.added)
            .fold(0u64, |acc, bit| acc | 1 << bit)
    }
}

/// Whether two SimHashes are close enough to be worth an exact check.
pub fn maybe_near(a: u64, b: u64) -> bool {
    (a ^ b).count_ones() <= CANDIDATE_DISTANCE
}

/// Sorted, de-duplicated hashes of the word 3-shingles of a text.
pub fn shingles(text: &str) -> Vec<u64> {
    // One pass, the windows hashed as the words end: no word list, no
    // string per word (the near-duplicate check of a query reads whole
    // sections).
    let mut out: Vec<u64> = Vec::with_capacity(text.len() / 5);
    let (mut a, mut b, mut n) = (0u64, 0u64, 0usize);
    for_each_word_hash(text, |w| {
        if n >= 2 {
            out.push(mix(a.rotate_left(21) ^ b.rotate_left(42) ^ w));
        }
        (a, b, n) = (b, w, n + 1);
    });
    if n < 3 {
        out = [a, b][2 - n..].to_vec();
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Calls `f` with [`word_hash`] of each word of `text` (its runs of
/// alphanumeric characters), in order.
fn for_each_word_hash(text: &str, mut f: impl FnMut(u64)) {
    let (mut h, mut inside) = (FNV_START, false);
    let mut end_word = |h: &mut u64, inside: &mut bool| {
        if *inside {
            f(*h);
            (*h, *inside) = (FNV_START, false);
        }
    };
    if text.is_ascii() {
        for &byte in text.as_bytes() {
            if byte.is_ascii_alphanumeric() {
                h = fnv_step(h, u64::from(byte.to_ascii_lowercase()));
                inside = true;
            } else {
                end_word(&mut h, &mut inside);
            }
        }
    } else {
        for c in text.chars() {
            if c.is_alphanumeric() {
                h = add_lower_char(h, c);
                inside = true;
            } else {
                end_word(&mut h, &mut inside);
            }
        }
    }
    end_word(&mut h, &mut inside);
}

/// Jaccard similarity of two shingle sets from [`shingles`].
pub fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f32 / (a.len() + b.len() - both) as f32
}

/// Whether two texts are near-duplicates: SimHashes within
/// [`CANDIDATE_DISTANCE`] bits and shingle Jaccard at least [`MIN_JACCARD`].
pub fn near_texts(sim_a: u64, sh_a: &[u64], sim_b: u64, sh_b: &[u64]) -> bool {
    sim_a == sim_b || (maybe_near(sim_a, sim_b) && jaccard(sh_a, sh_b) >= MIN_JACCARD)
}

/// FNV-1a of a word's lower-cased characters (an ASCII word, the usual
/// case, byte by byte: the same value without Unicode case tables).
fn word_hash(w: &str) -> u64 {
    if w.is_ascii() {
        return (w.bytes()).fold(FNV_START, |h, b| fnv_step(h, u64::from(b.to_ascii_lowercase())));
    }
    w.chars().fold(FNV_START, add_lower_char)
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// One FNV-1a step.
fn fnv_step(h: u64, c: u64) -> u64 {
    (h ^ c).wrapping_mul(0x0100_0000_01b3)
}

/// `h` after the lower-case form of `c` (one or more characters).
fn add_lower_char(h: u64, c: char) -> u64 {
    if c.is_ascii() {
        return fnv_step(h, u64::from(c.to_ascii_lowercase()));
    }
    c.to_lowercase()
        .fold(h, |h, l| fnv_step(h, u64::from(u32::from(l))))
}

fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// A 64-bit hash of a string (stable across runs and platforms).
pub fn hash_str(s: &str) -> u64 {
    fnv1a(s.as_bytes(), 0)
}

fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut h = (bytes.iter()).fold(FNV_START ^ seed.rotate_left(29), |h, &b| {
        fnv_step(h, u64::from(b))
    });
    // A final mix spreads the bits of short inputs.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "If your contact has an iPhone, iPad, and Mac all signed in with the same Apple ID, \
        your message could have appeared on one of these other devices, not their smartphone. In theory this \
        should not cause a problem, your message should show across all devices. However iMessage is far from perfect.";

    /// The first, allocation-heavy SimHash: stored indexes hold its values,
    /// so the fast one must give the same bits.
    fn reference_simhash(text: &str) -> u64 {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let mut weights = [0i32; 64];
        let mut add = |h: u64| {
            for (bit, w) in weights.iter_mut().enumerate() {
                if h >> bit & 1 == 1 {
                    *w += 1;
                } else {
                    *w -= 1;
                }
            }
        };
        if words.len() < 3 {
            for w in &words {
                add(fnv1a(w.as_bytes(), 0));
            }
        } else {
            for win in words.windows(3) {
                add(fnv1a(
                    win[2].as_bytes(),
                    fnv1a(win[1].as_bytes(), fnv1a(win[0].as_bytes(), 0)),
                ));
            }
        }
        (0..64).filter(|b| weights[*b] > 0).fold(0, |acc, b| acc | 1 << b)
    }

    #[test]
    fn simhash_bits_do_not_change() {
        // Long enough for the byte counters to be emptied several times.
        let long: String = (0..2000).map(|i| format!("w{} ", i * 7919 % 613)).collect();
        for t in [
            long.as_str(),
            "",
            "one",
            "Two Words",
            BASE,
            "İstanbul ÇAĞRI Straße ÉCOLE naïve 東京 Ωmega — mixed-case iPhone's Wi-Fi",
            "  punctuation!!! only?? ... and  spaces\n\tand\ttabs 123 4G",
        ] {
            assert_eq!(simhash(t), reference_simhash(t), "{t}");
        }
    }

    #[test]
    fn copies_with_a_changed_word_are_near() {
        let changed = BASE.replace("smartphone", "handset");
        let near = |a: &str, b: &str| near_texts(simhash(a), &shingles(a), simhash(b), &shingles(b));
        assert!(near(BASE, &changed));
        assert!(near(BASE, &BASE.to_uppercase()));
    }

    #[test]
    fn different_texts_are_not_near() {
        let other = "Reset all settings only as a last resort: you will need to sign in to accounts and set up \
            network settings such as Wi-Fi and VPNs again, although your data is not deleted by this step.";
        assert!(!near_texts(
            simhash(BASE),
            &shingles(BASE),
            simhash(other),
            &shingles(other)
        ));
        assert!(jaccard(&shingles(BASE), &shingles(other)) < 0.1);
    }

    /// The first shingles: a word list, then its windows.
    fn reference_shingles(text: &str) -> Vec<u64> {
        let words: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(word_hash)
            .collect();
        let mut out: Vec<u64> = if words.len() < 3 {
            words
        } else {
            words
                .windows(3)
                .map(|w| mix(w[0].rotate_left(21) ^ w[1].rotate_left(42) ^ w[2]))
                .collect()
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn shingles_in_one_pass_are_the_word_lists_shingles() {
        let texts = [
            BASE,
            "",
            "one",
            "Two words",
            "  -- three: words, here! ",
            "Ärger über Straße, ÉCOLE and école; İstanbul ǅemal — ΣΟΦΊΑ σοφία 123abc",
            "mixed ascii and naïve words, café au lait 2x",
            "日本語のテキスト と English words 混在",
        ];
        for t in texts {
            assert_eq!(shingles(t), reference_shingles(t), "{t}");
        }
    }

    #[test]
    fn ascii_words_hash_as_their_lower_case_characters() {
        for w in ["Printer", "WI", "x", "Delivered2"] {
            let slow = w
                .chars()
                .flat_map(char::to_lowercase)
                .fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
                    (h ^ u64::from(u32::from(c))).wrapping_mul(0x0100_0000_01b3)
                });
            assert_eq!(word_hash(w), slow, "{w}");
        }
        assert_eq!(word_hash("Ärger"), word_hash("ärger"));
    }

    #[test]
    fn a_text_republished_with_another_product_name_is_of_the_same_family() {
        let family_of = |t: &str| family(t, simhash(t));
        let other = BASE.replace("iPhone, iPad, and Mac", "Galaxy S24, Tab S9 and Book 4");
        assert_eq!(family_of(BASE), family_of(&other));
        assert_ne!(family_of(BASE), simhash(BASE));
        // One word written in lower case changed: another family.
        assert_ne!(family_of(BASE), family_of(&BASE.replace("perfect", "flawless")));
    }

    #[test]
    fn short_texts_and_lists_of_names_are_families_of_their_own() {
        // Two short steps that differ only in the button named.
        let (a, b) = ("Open Settings and tap Wi-Fi.", "Open Settings and tap Bluetooth.");
        assert_eq!(family(a, simhash(a)), simhash(a));
        assert_ne!(family(a, simhash(a)), family(b, simhash(b)));
        // Mostly names and numbers: enough lower-case words, but not half.
        let specs = |name: &str, size: u32| -> String {
            (0..30)
                .map(|i| format!("{name}{i} {} GB with the case ", size * (i + 1)))
                .collect()
        };
        let (x, y) = (specs("Model X", 64), specs("Tablet T", 100));
        assert_eq!(family(&x, simhash(&x)), simhash(&x));
        assert_ne!(family(&x, simhash(&x)), family(&y, simhash(&y)));
    }
}
