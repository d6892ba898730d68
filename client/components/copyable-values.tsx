import { CopyButton } from './copy-button.tsx';

export type CopyableValue = { label: string; value: string };

/** Values to hand to another system (URLs, DNS records), each with its own copy button. */
export function CopyableValues({ values }: { values: CopyableValue[] }) {
  return (
    <dl className="details copyable">
      {values.map(({ label, value }) => (
        <div key={label} className="copyable__item">
          <dt>{label}</dt>
          <dd className="copyable__row">
            <code className="copyable__value">{value}</code>
            <CopyButton text={value} accessibleName={`Copy ${label}`} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
