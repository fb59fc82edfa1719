// The Greetings page's module. Obscura swaps pages without reloading (so the audio player keeps
// playing); a page module exports mount({ root, signal, url }) and ties everything it starts to
// `signal`, which is aborted when the user leaves the page.

async function refresh(root) {
  const resp = await fetch("/api/plugins/hello/greetings?perPage=50");
  const { data } = await resp.json();
  root.querySelector("[data-hello-total]").textContent =
    `${data.total} greeting${data.total === 1 ? "" : "s"} so far.`;
  const list = root.querySelector(".greetings");
  list.replaceChildren(...data.items.map((g) => Object.assign(document.createElement("li"), { textContent: g.message })));
  return data.total;
}

export function mount({ root, signal }) {
  const form = root.querySelector("[data-hello-form]");
  let timer = 0;
  signal.addEventListener("abort", () => clearTimeout(timer));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const before = root.querySelectorAll(".greetings li").length;
    const resp = await fetch("/api/plugins/hello/greetings", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: form.elements.name.value }),
      signal,
    });
    if (!resp.ok) return;
    form.reset();
    // a worker writes the greeting: look again until it is there
    const poll = async () => {
      if ((await refresh(root)) <= before && !signal.aborted) timer = setTimeout(poll, 300);
    };
    poll();
  }, { signal });

  // "g" anywhere on the page focuses the name field; gone once the user leaves the page
  document.addEventListener("keydown", (e) => {
    if (e.key === "g" && !e.target.closest("input, textarea, select")) {
      e.preventDefault();
      form.elements.name.focus();
    }
  }, { signal });
}
