// fixdex help page: answers as you type, keyboard navigation, copy buttons.
// The page works without this script (the form submits to /?q=).
(() => {
  const box = document.getElementById("q");
  const results = document.getElementById("results");
  let timer = 0;
  let asked = box ? box.value : "";

  const links = () => Array.from(document.querySelectorAll(".hit a.open"));

  function select(i) {
    const all = links();
    if (all.length === 0) return;
    const k = Math.max(0, Math.min(i, all.length - 1));
    document.querySelectorAll(".hit.selected").forEach((h) => h.classList.remove("selected"));
    all[k].closest(".hit").classList.add("selected");
    all[k].focus();
  }

  async function ask(q) {
    if (!results) return;
    asked = q;
    const url = "/?q=" + encodeURIComponent(q);
    history.replaceState(null, "", q ? url : "/");
    if (!q.trim()) { results.innerHTML = ""; return; }
    try {
      const r = await fetch("/results?q=" + encodeURIComponent(q));
      const html = await r.text();
      if (q === asked) results.innerHTML = r.ok ? html : "<p class=\"none\">" + (JSON.parse(html).error || "error") + "</p>";
    } catch (e) {
      results.innerHTML = "<p class=\"none\">The server did not answer.</p>";
    }
  }

  if (box) {
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => ask(box.value), 150);
    });
  }

  document.addEventListener("keydown", (e) => {
    const inBox = document.activeElement === box;
    if (e.key === "/" && !inBox && !(document.activeElement instanceof HTMLInputElement)) {
      e.preventDefault();
      box && box.focus();
      box && box.select();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const all = links();
    if (all.length === 0) return;
    // The best answer's card is already in view: from the box, ↓ goes to
    // the next answer; ↑ from there goes back to the card, then the box.
    const at = all.indexOf(document.activeElement);
    e.preventDefault();
    if (e.key === "ArrowDown") select(at < 0 ? Math.min(1, all.length - 1) : at + 1);
    else if (at <= 0) { box && box.focus(); }
    else select(at - 1);
  });

  document.addEventListener("click", async (e) => {
    const b = e.target.closest("button.copy");
    if (!b) return;
    try {
      await navigator.clipboard.writeText(b.dataset.copy);
      b.textContent = "Copied";
    } catch (err) {
      b.textContent = b.dataset.copy;
    }
  });
})();
