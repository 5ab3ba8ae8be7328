//! The help page in a real browser: headless Chromium driven over WebDriver
//! (chromedriver, through fantoccini). Type a problem, see the answer card,
//! press ↓ then Enter to open the second answer, save a screenshot.
//! Skips, saying so, only where no Chromium and chromedriver are installed
//! (`.ci/run` installs Debian's `chromium` and `chromium-driver`).

mod util;

use fantoccini::{ClientBuilder, Locator, key::Key};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use util::*;

fn installed(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "current_thread")]
async fn type_a_problem_and_open_the_second_answer() {
    let (Some(chrome), Some(driver)) = (
        installed(&["chromium", "chromium-browser", "google-chrome"]),
        installed(&["chromedriver"]),
    ) else {
        eprintln!(
            "skipping the browser test: Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_corpus(), &dir.path().join("corpus"));
    let (_server, addr) = start_serve(dir.path(), &[]);
    let url = format!("http://{addr}/");
    let port = free_port();
    let _driver = Killed(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chrome,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1000,1100", "--user-data-dir=".to_string() + &dir.path().join("profile").display().to_string()]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let c = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session");

    c.goto(&url).await.unwrap();
    let q = c.find(Locator::Css("#q")).await.unwrap();
    q.send_keys("why not delivered").await.unwrap();
    // Answered as you type: the card appears without submitting the form.
    let heading = c
        .wait()
        .for_element(Locator::Css(".card.hit h2 a"))
        .await
        .unwrap();
    assert_eq!(
        heading.text().await.unwrap(),
        "Common Reasons iMessage Won't Deliver"
    );
    // The troubleshooting fixes are listed below the reasons.
    let more = c.find_all(Locator::Css(".more .hit")).await.unwrap();
    assert!(more.len() >= 3, "further answers below the card");
    assert!(
        !c.find_all(Locator::Css(".card.hit mark"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("q=why%20not%20delivered")
    );

    let second = c.find_all(Locator::Css(".more .hit a.open")).await.unwrap();
    let second = second[0].text().await.unwrap();
    let shot = c.screenshot().await.unwrap();
    let out = root().join("target/screenshots");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("answer.png"), &shot).unwrap();
    assert!(shot.starts_with(b"\x89PNG"));

    q.send_keys(&Key::Down.to_string()).await.unwrap();
    let active = c.active_element().await.unwrap();
    assert_eq!(active.text().await.unwrap(), second);
    active.send_keys(&Key::Enter.to_string()).await.unwrap();
    let h1 = c.wait().for_element(Locator::Css("h1")).await.unwrap();
    assert_eq!(h1.text().await.unwrap(), second);
    assert!(c.current_url().await.unwrap().path().starts_with("/section/"));
    c.close().await.unwrap();
}
