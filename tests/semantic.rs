//! `index --semantic` and the semantic re-rank, on a tiny BERT with random
//! weights written by the test (two layers, 16 dimensions), so no model is
//! downloaded: vectors stored and reused, each distinct text embedded once,
//! the fallback when the model is gone or another, and a damaged model.

mod util;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use candle_transformers::models::bert::{BertModel, Config};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use util::*;

/// Writes a two-layer BERT with random weights and a word-piece vocabulary
/// of the mini corpus's words into `dir`.
fn tiny_model(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let mut words = BTreeSet::new();
    for f in walk(&fixture("mini")) {
        for w in fs::read_to_string(f)
            .unwrap()
            .split(|c: char| !c.is_alphanumeric())
        {
            if !w.is_empty() {
                words.insert(w.to_lowercase());
            }
        }
    }
    let mut vocab = serde_json::Map::new();
    for (i, t) in ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
        .iter()
        .map(|s| s.to_string())
        .chain(words)
        .enumerate()
    {
        vocab.insert(t, json!(i));
    }
    let config = json!({
        "vocab_size": vocab.len(), "hidden_size": 16, "num_hidden_layers": 2,
        "num_attention_heads": 2, "intermediate_size": 32, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "max_position_embeddings": 64, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0,
        "model_type": "bert"
    });
    let tokenizer = json!({
        "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": null,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab}
    });
    fs::write(dir.join("config.json"), config.to_string()).unwrap();
    fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    let cfg: Config = serde_json::from_value(config).unwrap();
    let map = VarMap::new();
    let vb = VarBuilder::from_varmap(&map, DType::F32, &Device::Cpu);
    BertModel::load(vb, &cfg).unwrap();
    map.save(dir.join("model.safetensors")).unwrap();
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// A workspace with the mini corpus, a tiny model in `model/` and a
/// semantic index of the corpus.
fn semantic_workspace() -> (tempfile::TempDir, Value) {
    let ws = mini_workspace();
    tiny_model(&ws.path().join("model"));
    let o = run(fixdex(ws.path()).args(["index", "corpus", "--semantic", "--model", "model", "--json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (ws, json_of(&o))
}

fn query(ws: &Path, extra: &[&str]) -> (Value, String) {
    let mut c = fixdex(ws);
    c.args(["query", "printer offline", "--json", "--explain", "-n", "10"])
        .args(extra);
    let o = run(&mut c);
    assert_no_panic(&o);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (json_of(&o), stderr(&o))
}

fn cosines(a: &Value) -> Vec<Option<f64>> {
    a["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["explain"]["cosine"].as_f64())
        .collect()
}

#[test]
fn a_semantic_index_embeds_each_distinct_text_once_and_queries_use_the_vectors() {
    let (ws, summary) = semantic_workspace();
    let sections = summary["sections"].as_u64().unwrap();
    let embedded = summary["embedded"].as_u64().unwrap();
    // The mini corpus re-publishes an article: its copy's sections share vectors.
    assert!(embedded > 0 && embedded < sections, "{embedded} of {sections}");
    // The index records the model: stats shows it.
    let o = run(fixdex(ws.path()).args(["stats", "--json"]));
    let model = &json_of(&o)["semantic"];
    assert_eq!(model["dims"], 16, "{model}");
    assert!(model["dir"].as_str().unwrap().ends_with("model"), "{model}");
    let (a, _) = query(ws.path(), &[]);
    assert!(a.get("note").is_none(), "{a}");
    let cos = cosines(&a);
    assert!(
        !cos.is_empty() && cos.iter().all(|c| c.is_some_and(|c| c.abs() <= 1.001)),
        "{cos:?}"
    );
    // With the cosine alone deciding, the hits come in the order of their cosines.
    let mut c = fixdex(ws.path());
    c.env("FIXDEX_RANKING", "semantic=1");
    let o = run(c.args([
        "query",
        "printer offline",
        "--json",
        "--explain",
        "-n",
        "10",
        "--all-sections",
    ]));
    let cos: Vec<f64> = cosines(&json_of(&o)).into_iter().map(Option::unwrap).collect();
    assert!(cos.len() >= 3);
    assert!(cos.windows(2).all(|w| w[0] >= w[1] - 1e-6), "{cos:?}");
    // A lexical index answers without cosines.
    let lex = mini_workspace();
    let o = run(fixdex(lex.path()).args(["query", "printer offline", "--json", "--explain"]));
    assert!(cosines(&json_of(&o)).iter().all(Option::is_none));
}

#[test]
fn an_incremental_run_embeds_only_the_new_texts() {
    let (ws, _) = semantic_workspace();
    let f = ws.path().join("corpus/printer/printer-offline.md");
    let text = fs::read_to_string(&f).unwrap();
    fs::write(
        &f,
        format!("{text}\n\n## Paper jams\n\nOpen the back tray and pull the sheet out.\n"),
    )
    .unwrap();
    let o = run(fixdex(ws.path()).args(["index", "--json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let s = json_of(&o);
    assert_eq!(s["parsed"], 1, "{s}");
    assert!(s.get("rebuilt").is_none(), "{s}");
    // The edit adds one section; the file's other texts keep their vectors.
    assert_eq!(s["embedded"], 1, "{s}");
    let (a, _) = query(ws.path(), &[]);
    assert!(cosines(&a).iter().all(Option::is_some));
}

#[test]
fn without_its_model_the_index_answers_by_words_and_says_so() {
    let (ws, _) = semantic_workspace();
    let (with_model, _) = query(ws.path(), &["--no-refresh"]);
    fs::rename(ws.path().join("model"), ws.path().join("gone")).unwrap();
    let (a, err) = query(ws.path(), &["--no-refresh"]);
    let note = a["note"].as_str().unwrap();
    assert!(
        note.starts_with("ranked by words only") && note.contains("model"),
        "{note}"
    );
    assert!(cosines(&a).iter().all(Option::is_none));
    assert!(!a["hits"].as_array().unwrap().is_empty());
    assert!(err.is_empty(), "JSON output keeps stderr quiet: {err}");
    // The text form says it once on stderr.
    let o = run(fixdex(ws.path()).args(["query", "printer offline", "--no-refresh"]));
    assert_eq!(code(&o), 0);
    assert_eq!(
        stderr(&o)
            .lines()
            .filter(|l| l.contains("ranked by words only"))
            .count(),
        1
    );
    // Naming where the model went brings the semantic step back.
    let (back, _) = query(ws.path(), &["--no-refresh", "--model", "gone"]);
    assert!(back.get("note").is_none());
    assert_eq!(cosines(&back), cosines(&with_model));
    // An edit while the model is gone: the query still answers, from the last commit.
    fs::write(
        ws.path().join("corpus/new.md"),
        "# New\n\nA new article about scanners.\n",
    )
    .unwrap();
    let (a, err) = query(ws.path(), &[]);
    assert!(err.contains("not refreshed"), "{err}");
    assert!(a["note"].is_string());
}

#[test]
fn another_model_is_not_mixed_with_the_index_vectors() {
    let (ws, _) = semantic_workspace();
    tiny_model(&ws.path().join("other"));
    let (a, _) = query(ws.path(), &["--no-refresh", "--model", "other"]);
    let note = a["note"].as_str().unwrap();
    assert!(
        note.contains("not the one this index's vectors were made with"),
        "{note}"
    );
    assert!(cosines(&a).iter().all(Option::is_none));
    // Re-indexing with the other model re-embeds everything.
    let o = run(fixdex(ws.path()).args(["index", "--semantic", "--model", "other", "--json"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let s = json_of(&o);
    assert_eq!(s["rebuilt"], "the semantic model changed", "{s}");
    let (a, _) = query(ws.path(), &["--no-refresh", "--model", "other"]);
    assert!(a.get("note").is_none());
}

#[test]
fn a_missing_or_damaged_model_is_one_sentence_and_exit_2_and_the_index_stays() {
    let ws = mini_workspace();
    let o = run(fixdex(ws.path()).args(["index", "corpus", "--json"]));
    assert_eq!(code(&o), 0);
    let before = run(fixdex(ws.path()).args(["query", "printer offline", "--json", "--no-refresh"]));
    let o = run(fixdex(ws.path()).args(["index", "--semantic"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--model"), "{}", stderr(&o));
    // Damaged in each way a download or a hand edit can damage it: the
    // weights' header, the weights cut short or empty, a config the weights
    // do not fit, an activation the encoder does not run; and no directory.
    let model = ws.path().join("model");
    tiny_model(&model);
    let weights = fs::read(model.join("model.safetensors")).unwrap();
    let config = fs::read_to_string(model.join("config.json")).unwrap();
    let damages: Vec<(&str, Vec<u8>, String, &str)> = vec![
        (
            "model.safetensors",
            b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}".to_vec(),
            config.clone(),
            "model.safetensors",
        ),
        (
            "model.safetensors",
            weights[..weights.len() / 2].to_vec(),
            config.clone(),
            "model.safetensors",
        ),
        (
            "model.safetensors",
            Vec::new(),
            config.clone(),
            "model.safetensors",
        ),
        (
            "config",
            weights.clone(),
            config.replace("\"hidden_size\":16", "\"hidden_size\":32"),
            "model.safetensors",
        ),
        (
            "config",
            weights.clone(),
            config.replace("\"gelu\"", "\"swish\""),
            "config.json",
        ),
    ];
    for (what, w, c, named) in damages.iter().map(|(a, b, c, d)| (*a, b, c, *d)).chain([(
        "dir",
        &Vec::new(),
        &String::new(),
        "no-such-dir",
    )]) {
        let dir = if what == "dir" { "no-such-dir" } else { "model" };
        if what != "dir" {
            fs::write(model.join("model.safetensors"), w).unwrap();
            fs::write(model.join("config.json"), c).unwrap();
        }
        let o = run(fixdex(ws.path()).args(["index", "--semantic", "--model", dir]));
        assert_no_panic(&o);
        assert_eq!(code(&o), 2, "{what}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{what}: {err}");
        assert!(err.contains(named), "{what}: {err}");
    }
    let after = run(fixdex(ws.path()).args(["query", "printer offline", "--json", "--no-refresh"]));
    let ids = |o: &std::process::Output| {
        json_of(o)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn queries_in_another_language_are_ranked_by_words() {
    let ws = mini_workspace();
    fs::write(
        ws.path().join("corpus/drucker.md"),
        "---\ntitle: Drucker ist offline\nlang: de\n---\n\n## Drucker neu starten\n\nWenn der Drucker offline ist, schalten Sie ihn aus und nach einer Minute wieder ein.\n",
    )
    .unwrap();
    tiny_model(&ws.path().join("model"));
    let o = run(fixdex(ws.path()).args(["index", "corpus", "--semantic", "--model", "model"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ask = |q: &str| {
        let o = run(fixdex(ws.path()).args(["query", q, "--json", "--explain", "--no-refresh"]));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json_of(&o)
    };
    let de = ask("der Drucker ist offline, was soll ich tun");
    assert_eq!(de["lang"], "de", "{de}");
    assert!(cosines(&de).iter().all(Option::is_none), "{de}");
    let en = ask("my printer is offline, what should I do");
    assert_eq!(en["lang"], "en");
    assert!(cosines(&en).iter().all(Option::is_some), "{en}");
}

#[test]
fn the_encoder_matches_candles_bert_on_the_same_weights() {
    use candle_core::Tensor;
    use fixdex::text::encoder::Encoder;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    tiny_model(&dir);
    let texts = [
        "printer offline after update",
        "the printer says it is offline",
        "reset",
        "how do i stop the fan noise when the laptop sleeps at night",
    ];
    let ours = Encoder::load(&dir, 64).unwrap().embed(&texts, 2).unwrap();

    // The same texts through candle's BERT, one at a time, mean-pooled.
    let config: Config = serde_json::from_slice(&fs::read(dir.join("config.json")).unwrap()).unwrap();
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &Device::Cpu)
    }
    .unwrap();
    let bert = BertModel::load(vb, &config).unwrap();
    let tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    for (text, mine) in texts.iter().zip(&ours) {
        let ids = tokenizer.encode(*text, true).unwrap().get_ids().to_vec();
        let ids = Tensor::new(ids.as_slice(), &Device::Cpu)
            .unwrap()
            .unsqueeze(0)
            .unwrap();
        let hidden = bert.forward(&ids, &ids.zeros_like().unwrap(), None).unwrap();
        let pooled: Vec<f32> = hidden.mean(1).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
        let norm = pooled.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert_eq!(mine.len(), pooled.len());
        for (a, b) in mine.iter().zip(&pooled) {
            assert!((a - b / norm).abs() < 1e-4, "{text:?}: {a} against {}", b / norm);
        }
    }
    // Different texts get different vectors (the comparison above is not
    // between constants).
    let dot: f32 = ours[0].iter().zip(&ours[3]).map(|(a, b)| a * b).sum();
    assert!(dot < 0.999, "{dot}");
}

#[test]
fn an_introductions_cosine_is_discounted_and_no_other() {
    let (ws, _) = semantic_workspace();
    let by_id = |lead: &str| -> std::collections::HashMap<String, (f64, bool)> {
        let mut c = fixdex(ws.path());
        c.env("FIXDEX_RANKING", format!("semantic=1,semantic_lead={lead}"));
        let o = run(c.args([
            "query",
            "printer offline",
            "--json",
            "--explain",
            "--all-sections",
        ]));
        let a = json_of(&o);
        a["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                // An introduction is headed by its article's title alone.
                let intro = h["heading"] == h["title"] && h["breadcrumb"].as_array().unwrap().len() == 1;
                let cos = h["explain"]["cosine"].as_f64().unwrap();
                (h["id"].as_str().unwrap().to_string(), (cos, intro))
            })
            .collect()
    };
    let (full, half) = (by_id("1"), by_id("0.5"));
    let mut intros = 0;
    for (id, (cos, intro)) in &full {
        let Some((halved, _)) = half.get(id) else { continue };
        if *intro {
            intros += 1;
            assert!((halved - cos * 0.5).abs() < 1e-5, "{id}: {cos} -> {halved}");
        } else {
            assert!((halved - cos).abs() < 1e-5, "{id}: {cos} -> {halved}");
        }
    }
    assert!(intros > 0, "{full:?}");
}
