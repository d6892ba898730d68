// The notice board: the SPA half of the organization worked example (server/modules/notices).
// Every member reads and posts; the server says per notice whether the caller may delete it.
import { useState } from 'react';
import { NoticePostInputSchema, type Notice } from '#shared/schemas/notices.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Field, TextAreaField } from '#client/components/ui/field.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from './org-context.ts';
import { OrgQueryError } from './org-query-error.tsx';

export function OrgNoticesPage() {
  const { org } = useOrg();
  const notices = trpc.notices.list.useInfiniteQuery(
    { orgId: org.id, limit: 20 },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const utils = trpc.useUtils();
  const refresh = () => utils.notices.list.invalidate({ orgId: org.id });
  const remove = trpc.notices.delete.useMutation({
    onSuccess: () => {
      setDeleting(null);
      void refresh();
    },
  });
  const [deleting, setDeleting] = useState<Notice | null>(null);
  const formatDate = useDateFormatter();
  const items = notices.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="stack">
      <PageHeading title={`Notices · ${org.name}`}>Notices</PageHeading>
      <PostNotice onPosted={() => void refresh()} />
      <h2 className="section-title">Board</h2>
      {notices.isPending && <Spinner label="Loading notices…" />}
      {notices.isError && (
        <OrgQueryError what="the notices" error={notices.error} onRetry={() => void notices.refetch()} />
      )}
      {notices.data && items.length === 0 && <p className="empty">No notices yet. Post the first one above.</p>}
      {items.map((notice) => (
        <article key={notice.id} className="card stack" aria-labelledby={`notice-${notice.id}`}>
          <h3 id={`notice-${notice.id}`} className="notice__title">
            {notice.title}
          </h3>
          <p className="flyer__body">{notice.body}</p>
          <div className="row notice__footer">
            <p className="field__hint">
              {notice.author ? notice.author.name || 'A member' : 'A former member'} ·{' '}
              {formatDate(notice.createdAt, 'dateTime')}
            </p>
            {notice.canDelete && (
              <Button
                variant="ghost"
                size="small"
                aria-label={`Delete: ${notice.title}`}
                onClick={() => {
                  remove.reset();
                  setDeleting(notice);
                }}
              >
                Delete
              </Button>
            )}
          </div>
        </article>
      ))}
      {notices.hasNextPage && (
        <div>
          <Button
            variant="secondary"
            busy={notices.isFetchingNextPage}
            busyLabel="Loading…"
            onClick={() => void notices.fetchNextPage()}
          >
            Show older notices
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this notice?"
        confirmLabel="Delete notice"
        tone="danger"
        busy={remove.isPending}
        error={remove.error ? toProblem(remove.error).message : null}
        onConfirm={() => deleting && remove.mutate({ orgId: org.id, noticeId: deleting.id })}
        onCancel={() => setDeleting(null)}
      >
        <p>“{deleting?.title}” disappears for every member.</p>
      </ConfirmDialog>
    </div>
  );
}

function PostNotice({ onPosted }: { onPosted: () => void }) {
  const { org } = useOrg();
  const form = useSchemaForm(NoticePostInputSchema);
  const post = trpc.notices.post.useMutation();
  return (
    <section className="card stack" aria-labelledby="post-notice-title">
      <h2 id="post-notice-title">Post a notice</h2>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) =>
          post.mutate(input, {
            onSuccess: () => {
              formElement.reset();
              onPosted();
            },
            onError: (error) => form.showError(formElement, error),
          }),
        )}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <input type="hidden" name="orgId" value={org.id} />
        <Field label="Title" name="title" errors={form.fieldErrors.title} onInput={() => form.clearField('title')} />
        <TextAreaField
          label="Text"
          name="body"
          errors={form.fieldErrors.body}
          onInput={() => form.clearField('body')}
        />
        <div>
          <Button type="submit" busy={post.isPending} busyLabel="Posting…">
            Post notice
          </Button>
        </div>
      </form>
    </section>
  );
}
