// A batch file goes straight to S3 with the presigned POST that a new import
// (api/imports.js) returned, never through the API. XMLHttpRequest, because fetch cannot report how
// much of a request body has gone: the progress bar needs it. S3 (moto locally) is
// another origin, so the bucket's CORS rules let the site's origin POST.

export class UploadError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

/** S3's <Error><Code>…</Code><Message>…</Message></Error>, as far as it can be read. */
function s3Error(xhr) {
  try {
    const doc = new DOMParser().parseFromString(xhr.responseText, "application/xml");
    return [doc.querySelector("Code")?.textContent ?? "", doc.querySelector("Message")?.textContent ?? ""];
  } catch {
    return ["", ""];
  }
}

/** Sends `file` with every field of `upload.fields` first and the file last, as S3
 * wants; `onProgress(sent, total)` as it goes. Resolves when S3 has stored it. */
export function uploadFile(upload, file, { onProgress = () => {}, signal } = {}) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append(upload.file_field || "file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
        return;
      }
      const [code, message] = s3Error(xhr);
      reject(new UploadError(xhr.status, code || `http_${xhr.status}`, message));
    });
    // A refused CORS check, a dropped connection or an unreachable bucket all end here.
    xhr.addEventListener("error", () => reject(new UploadError(0, "network", "")));
    xhr.addEventListener("abort", () => reject(new UploadError(0, "aborted", "")));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
