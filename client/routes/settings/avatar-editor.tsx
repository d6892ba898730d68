import { useEffect, useId, useRef, useState } from 'react';
import { UPLOAD_BODY_LIMIT_BYTES } from '#shared/constants.ts';
import type { Me } from '#shared/schemas/auth.ts';
import { Avatar } from '#client/components/avatar.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { updateUser } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { uploadAvatar } from '#client/lib/upload.ts';

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif';

type Status =
  | { kind: 'idle' }
  | { kind: 'uploading'; progress: number }
  | { kind: 'done'; message: string }
  | { kind: 'error'; message: string };

/** Picks a picture, previews it, uploads it with progress; the header and profile update at once. */
export function AvatarEditor({ user }: { user: Me }) {
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const utils = trpc.useUtils();
  const remove = trpc.profile.removeAvatar.useMutation();

  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);
  // The button just used (Upload or Remove) is gone once it succeeds: focus goes back to the chooser.
  useEffect(() => {
    if (status.kind === 'done') inputRef.current?.focus();
  }, [status]);

  const showAvatar = (avatarUrl: string | null, message: string) => {
    updateUser({ ...user, profile: { ...user.profile, avatarUrl } });
    void utils.profile.get.invalidate({ userId: user.id });
    setFile(null);
    setPreview(null);
    if (inputRef.current) inputRef.current.value = '';
    setStatus({ kind: 'done', message });
  };

  const choose = (chosen: File | undefined) => {
    setStatus({ kind: 'idle' });
    if (!chosen) return;
    if (!ACCEPT.split(',').includes(chosen.type)) {
      setStatus({ kind: 'error', message: 'Choose a JPEG, PNG, WebP, GIF or AVIF image.' });
      return;
    }
    if (chosen.size > UPLOAD_BODY_LIMIT_BYTES) {
      setStatus({ kind: 'error', message: 'Choose an image of at most 5 MB.' });
      return;
    }
    setFile(chosen);
    setPreview(URL.createObjectURL(chosen));
  };

  const upload = async () => {
    if (!file) return;
    setStatus({ kind: 'uploading', progress: 0 });
    try {
      const result = await uploadAvatar(file, (progress) => setStatus({ kind: 'uploading', progress }));
      showAvatar(result.avatarUrl, 'Your new picture is saved.');
    } catch (error) {
      setStatus({ kind: 'error', message: toProblem(error).message });
    }
  };

  const uploading = status.kind === 'uploading';
  return (
    <section className="card stack" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Picture</h2>
      <div className="avatar-editor">
        {preview ? (
          <span className="avatar avatar--lg">
            <img src={preview} alt="Preview of your new picture" />
          </span>
        ) : (
          <Avatar name={user.profile.name || user.email} avatarUrl={user.profile.avatarUrl} size="lg" />
        )}
        <div className="stack">
          <p className="field__hint">
            JPEG, PNG, WebP, GIF or AVIF, up to 5 MB. We crop it to a square and remove its hidden data, such as
            location.
          </p>
          <div className="row">
            <label htmlFor={inputId} className="button button--secondary button--small file-button">
              Choose a picture
            </label>
            <input
              ref={inputRef}
              id={inputId}
              className="visually-hidden"
              type="file"
              accept={ACCEPT}
              disabled={uploading}
              onChange={(event) => choose(event.target.files?.[0])}
            />
            {file && (
              <Button size="small" onClick={() => void upload()} busy={uploading} busyLabel="Uploading…">
                Upload picture
              </Button>
            )}
            {!file && user.profile.avatarUrl && (
              <Button
                variant="ghost"
                size="small"
                busy={remove.isPending}
                onClick={() =>
                  remove.mutate(undefined, {
                    onSuccess: () => showAvatar(null, 'Your picture is removed.'),
                    onError: (error) => setStatus({ kind: 'error', message: toProblem(error).message }),
                  })
                }
              >
                Remove picture
              </Button>
            )}
          </div>
          {uploading && (
            <progress className="progress" max={1} value={status.progress} aria-label="Upload progress">
              {Math.round(status.progress * 100)}%
            </progress>
          )}
        </div>
      </div>
      {status.kind === 'done' && <Alert tone="success">{status.message}</Alert>}
      {status.kind === 'error' && <Alert tone="error">{status.message}</Alert>}
    </section>
  );
}
