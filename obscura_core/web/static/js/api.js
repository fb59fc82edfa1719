// Talking to Obscura's JSON API from page modules. Every mutation is sent as JSON (the server
// refuses anything else), errors come back as the envelope's message.

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (method !== "GET" && method !== "HEAD") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(path, init);
  let payload = null;
  try {
    payload = await res.json();
  } catch {
    throw new ApiError(`The server answered ${res.status} without JSON.`, res.status);
  }
  if (!res.ok || payload.ok === false) {
    const err = payload?.error ?? {};
    throw new ApiError(err.message || `Request failed (${res.status}).`, res.status, err.code);
  }
  return payload.data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const put = (path, body) => api("PUT", path, body);
export const del = (path, body) => api("DELETE", path, body);

// Multipart upload with progress (XMLHttpRequest still has the only upload progress events).
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      const payload = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && payload?.ok) resolve(payload.data);
      else reject(new ApiError(payload?.error?.message || `Upload failed (${xhr.status}).`, xhr.status));
    };
    xhr.onerror = () => reject(new ApiError("The upload was interrupted.", 0));
    xhr.send(formData);
  });
}
