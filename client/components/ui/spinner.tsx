export function Spinner({ label }: { label: string }) {
  return (
    <span role="status" className="row">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}
