import { TRPCClientError } from '@trpc/client';
import type { AvatarResult } from '#shared/schemas/profile.ts';
import { reasonOf } from './errors.ts';
import { getAccessToken, refreshSession } from './session.ts';

function send(file: File, onProgress: (fraction: number) => void): Promise<AvatarResult> {
  return new Promise((resolve, reject) => {
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const request = new XMLHttpRequest();
    request.open('POST', '/trpc/profile.uploadAvatar');
    const token = getAccessToken();
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: { result?: { data: AvatarResult }; error?: unknown } | undefined;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (body?.result) resolve(body.result.data);
      else
        reject(
          body?.error ? TRPCClientError.from(body as { error: never }) : new Error(`Upload failed (${request.status})`),
        );
    };
    request.onerror = () => reject(new Error('Network error'));
    const form = new FormData();
    form.append('file', file);
    request.send(form);
  });
}

/** profile.uploadAvatar with progress; like every call, one refresh and retry on UNAUTHENTICATED. */
export async function uploadAvatar(file: File, onProgress: (fraction: number) => void): Promise<AvatarResult> {
  try {
    return await send(file, onProgress);
  } catch (error) {
    if (reasonOf(error) !== 'UNAUTHENTICATED' || !(await refreshSession())) throw error;
    return send(file, onProgress);
  }
}
