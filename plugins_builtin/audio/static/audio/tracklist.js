// Track lists on the audio pages: the play / play next / add to queue buttons of every row, the
// "Play", "Shuffle" and "Add all" actions, and the highlight of the track the mini player is on.
// The tracks come from the page's JSON (#audio-tracks: only the playable ones).

import { plural } from "/static/js/format.js";
import { toast } from "/static/js/ui.js";
import * as player from "./player.js";

export function readTracks(root) {
  const el = root.querySelector("#audio-tracks");
  try {
    return el ? JSON.parse(el.textContent) : [];
  } catch {
    return [];
  }
}

/** Mark the row of the current track (and whether it is playing) in every list under `root`. */
export function highlight(root) {
  const cur = player.current();
  const playing = player.isPlaying();
  for (const row of root.querySelectorAll("[data-track-id]")) {
    const on = Boolean(cur) && row.dataset.trackId === cur.id && row.classList.contains("at-row");
    row.classList.toggle("is-current", on);
    row.classList.toggle("is-playing", on && playing);
    if (on) row.setAttribute("aria-current", "true");
    else row.removeAttribute("aria-current");
    const button = row.querySelector('[data-audio-action="play"]');
    if (button) {
      const title = row.querySelector(".at-title")?.textContent || "this track";
      button.setAttribute("aria-label", on && playing ? `Pause ${title}` : `Play ${title}`);
    }
  }
}

/**
 * Wire the track lists and actions under `root` until `signal` aborts. `tracks` are the playable
 * tracks in list order; `scope` is what "Play"/"Shuffle" start (all of them by default).
 */
export function wireTracks(root, signal, tracks = readTracks(root)) {
  const byId = new Map(tracks.map((t) => [t.id, t]));

  root.addEventListener("click", (e) => {
    const button = e.target.closest("[data-audio-action]");
    if (!button || button.disabled || !root.contains(button)) return;
    const row = button.closest("[data-track-id]");
    const track = row ? byId.get(row.dataset.trackId) : tracks[0];
    switch (button.dataset.audioAction) {
      case "play": {
        if (!track) return;
        const cur = player.current();
        if (cur && cur.id === track.id) {
          player.toggle();
          return;
        }
        player.playTracks(tracks, tracks.indexOf(track));
        break;
      }
      case "next":
        if (!track) return;
        player.playNext([track]);
        toast(`“${track.title}” plays next.`, "ok", 2500);
        break;
      case "queue":
        if (!track) return;
        player.addToQueue([track]);
        toast(`“${track.title}” added to the queue.`, "ok", 2500);
        break;
      case "play-all":
        player.playTracks(tracks, 0, { shuffle: false });
        break;
      case "shuffle-all":
        player.playTracks(tracks, Math.floor(Math.random() * tracks.length), { shuffle: true });
        break;
      case "queue-all":
        player.addToQueue(tracks);
        toast(`${plural(tracks.length, "track")} added to the queue.`, "ok", 2500);
        break;
      default:
        return;
    }
    e.preventDefault();
  }, { signal });

  const update = () => highlight(root);
  player.events.addEventListener("change", update, { signal });
  player.events.addEventListener("state", update, { signal });
  update();
}
