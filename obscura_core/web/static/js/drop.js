// Files dropped anywhere on the page: `dropFiles({signal, onHover, onDrop})` calls onHover(true) when
// a drag carrying files enters the page, onHover(false) when it leaves it or is dropped, and
// onDrop([...files]) on the drop. Drags of anything but files (text, links) are left alone. The
// listeners go with `signal` (the page's, from mount).

const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");

export function dropFiles({ signal, onHover, onDrop, target = window }) {
  let depth = 0; // dragenter/dragleave pairs of the elements crossed on the way
  const on = (type, handler) => target.addEventListener(type, (e) => {
    if (hasFiles(e)) handler(e);
  }, { signal });
  on("dragenter", (e) => {
    e.preventDefault();
    depth += 1;
    onHover(true);
  });
  on("dragover", (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  });
  on("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) onHover(false);
  });
  on("drop", (e) => {
    e.preventDefault();
    depth = 0;
    onHover(false);
    onDrop([...e.dataTransfer.files]);
  });
}
