// Contributing back to a stash-box, shared by the video panel (elements.js) and the contributions
// page (contributions.js): submit a video's fingerprints (POST …/submit-fingerprints {videoId}) and
// say what happened, and submit it as a scene draft with its thumbnail as the cover
// (POST …/submit-draft {videoId, image}: the image as bare base64).
import { get, post } from "/static/js/api.js";

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Submit one video's fingerprints to an endpoint; resolves with the route's answer. */
export function submitFingerprints(endpointId, videoId) {
  return post(`/api/stashbox-endpoints/${encodeURIComponent(endpointId)}/submit-fingerprints`, { videoId });
}

/** A sentence for a submit-fingerprints answer, and whether it is good news:
 *  "Submitted 3 fingerprints." / "Already submitted (3 fingerprints)." / "Skipped: no duration." */
export function describeSubmission(answer) {
  if (answer?.jobRunId) return { ok: true, text: `Submitting in the background (${plural(answer.videos, "video")}).` };
  const parts = [];
  if (answer.submitted) parts.push(`Submitted ${plural(answer.submitted, "fingerprint")}.`);
  if (answer.alreadySubmitted) {
    parts.push(answer.submitted
      ? `${answer.alreadySubmitted} already submitted before.`
      : `Already submitted (${plural(answer.alreadySubmitted, "fingerprint")}).`);
  }
  const skipped = (answer.skipped ?? []).filter((s) => s.reason !== "already submitted");
  for (const s of skipped) parts.push(`Skipped: ${s.reason}.`);
  if (!parts.length && (answer.skipped ?? []).length) parts.push("Already submitted.");
  for (const f of answer.failed ?? []) parts.push(`${f.algorithm} refused: ${f.error}`);
  if (!parts.length) parts.push("Nothing to submit.");
  const ok = !(answer.failed ?? []).length && !skipped.length;
  return { ok, text: parts.join(" ") };
}

/** The bare base64 of a blob (FileReader's data URL without its "data:…;base64," prefix). */
function base64Of(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*;base64,/, ""));
    reader.onerror = () => reject(reader.error || new Error("The thumbnail could not be read."));
    reader.readAsDataURL(blob);
  });
}

/** The video's thumbnail as base64, or null when it has none (the draft then goes without a cover). */
export async function thumbnailBase64(videoId) {
  const video = await get(`/api/videos/${encodeURIComponent(videoId)}`);
  if (!video?.thumbnailUrl) return null;
  const res = await fetch(video.thumbnailUrl, { headers: { Accept: "image/*" } });
  if (!res.ok) return null;
  const blob = await res.blob();
  if (!blob.type.startsWith("image/")) return null;
  return base64Of(blob);
}

/** Submit a video as a scene draft with its thumbnail; resolves with `{draftId, url, image}`. */
export async function submitDraft(endpointId, videoId) {
  const image = await thumbnailBase64(videoId);
  const body = image ? { videoId, image } : { videoId };
  return post(`/api/stashbox-endpoints/${encodeURIComponent(endpointId)}/submit-draft`, body);
}
