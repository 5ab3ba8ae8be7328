//! Articles in several languages: each is detected, stemmed in its language,
//! counted in `stats`, filtered with `--lang`, and a query finds the
//! sections of its own language first.

mod util;

use serde_json::Value;
use std::path::Path;
use util::*;

const EN: &str = "---
title: Empty the Recycle Bin
---

## Remove the Recycle Bin icon from the desktop

Open Settings, choose Personalization, then Themes, and select Desktop icon settings.
Clear the Recycle Bin box and press OK; the icon disappears from the desktop.

## Empty the Recycle Bin automatically

Storage Sense can delete files that have been in the bin for more than thirty days.
Open Settings, then System, then Storage, and turn Storage Sense on.

## Place an order for a new keyboard

Orders ship within two days. Track your order from the account page.
";

const DE: &str = "---
title: Papierkorb
---

## Den Papierkorb vom Desktop entfernen

Öffnen Sie die Einstellungen und wählen Sie Personalisierung und dann Designs.
Klicken Sie auf Desktopsymboleinstellungen und entfernen Sie das Häkchen beim Papierkorb.
Danach verschwindet das Symbol vom Bildschirm.

## Papierkörbe automatisch leeren

Die Speicheroptimierung löscht Dateien, die seit mehr als dreißig Tagen in den Papierkörben liegen.
Öffnen Sie die Einstellungen, dann System und Speicher, und schalten Sie die Speicheroptimierung ein.
";

const FR: &str = "---
title: La corbeille
---

## Supprimer l'icône de la corbeille du bureau

Ouvrez les paramètres, choisissez Personnalisation puis Thèmes, et cliquez sur les paramètres des icônes du bureau.
Décochez la case de la corbeille et validez : l'icône disparaît du bureau.

## Vider la corbeille automatiquement

L'assistant de stockage supprime les fichiers qui sont dans la corbeille depuis plus de trente jours.
";

const ES: &str = "---
title: La papelera de reciclaje
lang: es-ES
---

## Quitar el icono de la papelera del escritorio

Abra la configuración, elija Personalización y luego Temas, y haga clic en la configuración de iconos del escritorio.
Desmarque la casilla de la papelera y pulse Aceptar; el icono desaparece del escritorio.
";

const JA: &str = "---
title: ごみ箱
---

## デスクトップからごみ箱のアイコンを削除する

設定を開き、個人用設定からテーマを選び、デスクトップアイコンの設定をクリックします。
ごみ箱のチェックを外して適用すると、アイコンがデスクトップから消えます。

## ごみ箱を自動的に空にする

ストレージセンサーは、ごみ箱に三十日以上あるファイルを自動的に削除します。
";

fn corpus(dir: &Path) -> std::path::PathBuf {
    let c = dir.join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    for (name, text) in [
        ("en.md", EN),
        ("de.md", DE),
        ("fr.md", FR),
        ("es.md", ES),
        ("ja.md", JA),
    ] {
        std::fs::write(c.join(name), text).unwrap();
    }
    let o = run(fixdex(dir).args(["index", "corpus"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    c
}

fn query(dir: &Path, args: &[&str]) -> Value {
    let o = run(fixdex(dir).args(["query", "--json", "-n", "10"]).args(args));
    assert!(code(&o) <= 1, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn first(v: &Value) -> (String, String) {
    let h = &v["hits"][0];
    (
        h["lang"].as_str().unwrap_or_default().to_string(),
        h["heading"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn stats_count_articles_and_sections_per_language() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let o = run(fixdex(dir.path()).args(["stats", "--json"]));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let langs: Vec<(String, u64, u64)> = v["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["code"].as_str().unwrap().to_string(),
                l["articles"].as_u64().unwrap(),
                l["sections"].as_u64().unwrap(),
            )
        })
        .collect();
    let get = |c: &str| langs.iter().find(|l| l.0 == c).map(|l| (l.1, l.2));
    assert_eq!(get("en"), Some((1, 3)), "{langs:?}");
    assert_eq!(get("de"), Some((1, 2)));
    assert_eq!(get("fr"), Some((1, 2)));
    assert_eq!(get("es"), Some((1, 1)), "the front matter names it");
    assert_eq!(get("ja"), Some((1, 2)));
    let text = stdout(&run(fixdex(dir.path()).arg("stats")));
    assert!(
        text.contains("language de German 1 article, 2 sections"),
        "{text}"
    );
}

#[test]
fn an_inflected_german_query_finds_the_german_section_first() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    // "Papierkörbe" is the plural of "Papierkorb": one stem in German.
    let v = query(
        dir.path(),
        &[
            "papierkorb",
            "icon",
            "vom",
            "bildschirm",
            "verschwinden",
            "lassen",
        ],
    );
    assert_eq!(v["lang"], "de");
    assert_eq!(
        first(&v),
        ("de".into(), "Den Papierkorb vom Desktop entfernen".into())
    );
    let v = query(dir.path(), &["wie", "kann", "ich", "die", "papierkorb", "leeren"]);
    assert_eq!(first(&v), ("de".into(), "Papierkörbe automatisch leeren".into()));
}

#[test]
fn english_queries_still_find_english_sections_first() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let v = query(
        dir.path(),
        &["remove", "the", "recycle", "bin", "icon", "from", "my", "desktop"],
    );
    assert_eq!(v["lang"], "en");
    assert_eq!(
        first(&v),
        ("en".into(), "Remove the Recycle Bin icon from the desktop".into())
    );
    // Words every language shares (a product name, "desktop") do not make a
    // query foreign.
    let v = query(dir.path(), &["desktop", "icon", "settings"]);
    assert_eq!(first(&v).0, "en");
}

#[test]
fn french_elision_spanish_and_japanese() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    // `l'icône` is indexed as `icône`, so "icones" (plural, unaccented) finds it.
    let v = query(
        dir.path(),
        &["supprimer", "les", "icones", "de", "la", "corbeille"],
    );
    assert_eq!(v["lang"], "fr");
    assert_eq!(
        first(&v),
        ("fr".into(), "Supprimer l'icône de la corbeille du bureau".into())
    );
    let v = query(dir.path(), &["quitar", "el", "icono", "de", "la", "papelera"]);
    assert_eq!(first(&v).0, "es");
    // Japanese has no spaces: character pairs make its words findable.
    let v = query(dir.path(), &["ごみ箱を空にしたい"]);
    assert_eq!(v["lang"], "ja");
    assert_eq!(first(&v), ("ja".into(), "ごみ箱を自動的に空にする".into()));
}

#[test]
fn lang_filter_keeps_one_language() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    for (arg, code) in [("de", "de"), ("German", "de"), ("fr-FR", "fr"), ("ja", "ja")] {
        let v = query(
            dir.path(),
            &["--lang", arg, "desktop", "icône", "bureau", "デスクトップ"],
        );
        let hits = v["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{arg}");
        assert!(hits.iter().all(|h| h["lang"] == code), "{arg}: {v}");
    }
}

#[test]
fn no_english_correction_for_a_german_word() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    // "ordner" is one edit from the English "order", and no German section
    // has it: it stays unmatched rather than becoming "order".
    let v = query(dir.path(), &["den", "ordner", "im", "papierkorb", "löschen"]);
    assert_eq!(v["lang"], "de");
    let suggestion = v.get("suggestion").and_then(Value::as_str).unwrap_or_default();
    assert!(!suggestion.contains("order"), "{v}");
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !h["heading"].as_str().unwrap().contains("order")),
        "{v}"
    );
    // In English the same misspelling is still corrected.
    let v = query(dir.path(), &["track", "my", "ordr"]);
    assert_eq!(v["suggestion"], "track my order");
}
