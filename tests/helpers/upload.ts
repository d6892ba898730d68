import type { TestServer } from './test-server.ts';

export type UploadAnswer = { status: number; headers: Headers; text: string; json: any };

export type UploadPart = { field?: string; bytes: Uint8Array | string; fileName?: string; type?: string };

/**
 * POSTs profile.uploadAvatar as a browser would: multipart/form-data built by the platform's
 * FormData, the image under the field `file` unless told otherwise, and a bearer token.
 */
export async function uploadAvatar(
  server: Pick<TestServer, 'url'>,
  token: string | null,
  part: UploadPart | null,
): Promise<UploadAnswer> {
  const form = new FormData();
  if (part) {
    const bytes = typeof part.bytes === 'string' ? new TextEncoder().encode(part.bytes) : part.bytes;
    // Copy into a fresh ArrayBuffer: Blob wants ArrayBuffer-backed views, a Node Buffer may share a pool.
    const blob = new Blob([new Uint8Array(bytes).buffer as ArrayBuffer], {
      type: part.type ?? 'application/octet-stream',
    });
    form.set(part.field ?? 'file', blob, part.fileName ?? 'avatar.bin');
  } else {
    form.set('note', 'no file here');
  }
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${server.url}/trpc/profile.uploadAvatar`, { method: 'POST', headers, body: form });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The stored avatar's URL from a successful upload; fails with the server's answer otherwise. */
export async function uploadAvatarOk(
  server: Pick<TestServer, 'url'>,
  token: string,
  part: UploadPart,
): Promise<string> {
  const answer = await uploadAvatar(server, token, part);
  if (answer.status !== 200 || typeof answer.json?.result?.data?.avatarUrl !== 'string') {
    throw new Error(`The upload was refused: ${answer.status} ${answer.text.slice(0, 500)}`);
  }
  return answer.json.result.data.avatarUrl as string;
}
