import { toProblem } from '#client/lib/errors.ts';

type Mutation = { isPending: boolean; isSuccess: boolean; isError: boolean; error: unknown };

/** One polite line for settings that save as you change them. */
export function SaveStatus({ mutation }: { mutation: Mutation }) {
  return (
    <p className="saved-note" role="status">
      {mutation.isPending && 'Saving…'}
      {mutation.isSuccess && 'Saved'}
      {mutation.isError && <span className="field__error">{toProblem(mutation.error).message}</span>}
    </p>
  );
}
