// Justified rows for a gallery's grid. The CSS alone already lays tiles out in rows of equal height
// (flex basis and growth from each tile's aspect ratio --r), but it breaks a row as soon as the next
// tile does not fit, so a row followed by a panorama can be stretched far too tall. Here each row
// ends where its height comes closest to the target (--row), and every tile gets its exact size;
// the last row keeps the target height. Re-run on resize and when tiles are added.

function ratio(tile) {
  return parseFloat(tile.style.getPropertyValue("--r")) || 1;
}

const floor2 = (x) => Math.floor(x * 100) / 100; // never round a row past the edge

function place(row, height) {
  row.forEach((tile, i) => {
    tile.style.width = `${floor2(ratio(tile) * height)}px`;
    tile.style.height = `${floor2(height)}px`;
    tile.classList.toggle("is-row-end", i === row.length - 1);
  });
}

/** Lay out one `.im-jg` grid. */
export function justify(grid) {
  const width = grid.clientWidth;
  if (!width) return;
  const style = getComputedStyle(grid);
  const gap = parseFloat(style.columnGap) || 0;
  const target = parseFloat(style.getPropertyValue("--row")) || 180;
  const tiles = [...grid.querySelectorAll(":scope > .im-tile")];
  const heightOf = (n, sum) => (width - gap * (n - 1)) / sum;
  let row = [];
  let sum = 0;
  for (const tile of tiles) {
    const r = ratio(tile);
    row.push(tile);
    sum += r;
    const h = heightOf(row.length, sum);
    if (h > target) continue;
    if (row.length > 1) {
      // without this tile the row is taller than wanted, with it shorter: keep the nearer one
      const without = heightOf(row.length - 1, sum - r);
      if (Math.abs(Math.log(without / target)) < Math.abs(Math.log(h / target))) {
        place(row.slice(0, -1), without);
        row = [tile];
        sum = r;
        const alone = heightOf(1, r);
        if (alone <= target) {
          place(row, alone);
          row = [];
          sum = 0;
        }
        continue;
      }
    }
    place(row, h);
    row = [];
    sum = 0;
  }
  if (row.length) {
    place(row, Math.min(target, heightOf(row.length, sum)));
    row.at(-1).classList.remove("is-row-end"); // the last row does not stretch to the edge
  }
  grid.classList.add("is-justified");
}

/** Keep every grid under `host` justified (now, on resize, and on `relayout()`). */
export function installJustify(host, signal) {
  let frame = 0;
  let lastWidth = 0;
  const relayout = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => host.querySelectorAll(".im-jg").forEach(justify));
  };
  const observer = new ResizeObserver(() => {
    if (host.clientWidth !== lastWidth) {
      lastWidth = host.clientWidth;
      relayout();
    }
  });
  observer.observe(host);
  signal.addEventListener("abort", () => {
    observer.disconnect();
    cancelAnimationFrame(frame);
  });
  lastWidth = host.clientWidth;
  host.querySelectorAll(".im-jg").forEach(justify);
  return relayout;
}
