import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ORG_ROLE_LABEL, useMyOrgs } from '#client/lib/orgs.ts';

/**
 * The header's organization switcher: a disclosure button and a list of plain links (not an ARIA
 * menu: links keep their role, and Tab walks them). As in the WAI-ARIA disclosure navigation
 * pattern, the arrow keys, Home and End also move along the links. Escape, a click elsewhere or
 * moving focus away closes it; Escape gives the focus back to the button.
 */
export function OrgSwitcher() {
  const mine = useMyOrgs();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  // ArrowDown on a closed switcher opens it; its first link can take the focus only once shown.
  const focusFirstOnOpen = useRef(false);
  const location = useLocation();
  const current = mine.data?.find((item) => location.pathname.startsWith(`/orgs/${item.org.slug}/`));

  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (open && focusFirstOnOpen.current) links(panelRef.current)[0]?.focus();
    focusFirstOnOpen.current = false;
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  return (
    <div
      ref={rootRef}
      className="org-switcher"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
          return;
        }
        const onButton = event.target === buttonRef.current;
        if (!open) {
          if (onButton && event.key === 'ArrowDown') {
            event.preventDefault();
            focusFirstOnOpen.current = true;
            setOpen(true);
          }
          return;
        }
        const target = nextLink(links(panelRef.current), event.target, event.key, onButton);
        if (target) {
          // The page must not scroll as well.
          event.preventDefault();
          target.focus();
        }
      }}
      onBlur={(event) => {
        if (!rootRef.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="header-link org-switcher__button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <svg className="org-switcher__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <path d="M3 17V4.5A1.5 1.5 0 0 1 4.5 3h6A1.5 1.5 0 0 1 12 4.5V8h3.5A1.5 1.5 0 0 1 17 9.5V17h1v1.5H2V17h1Zm2 0h2v-3h2v3h1V5H5v12Zm7 0h3v-7h-3v7ZM6.5 7h2v1.5h-2V7Zm0 3h2v1.5h-2V10Z" />
        </svg>
        <span className="org-switcher__label">Organizations</span>
        <svg className="org-switcher__chevron" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <path d="M5.5 7.5 10 12l4.5-4.5" fill="none" stroke="currentColor" strokeWidth="2" />
        </svg>
      </button>
      <div id={panelId} ref={panelRef} className="org-switcher__panel" hidden={!open}>
        {mine.isPending && <p className="org-switcher__note">Loading…</p>}
        {mine.isError && <p className="org-switcher__note">We could not load your organizations.</p>}
        {mine.data?.length === 0 && <p className="org-switcher__note">You are not in any organization yet.</p>}
        {mine.data && mine.data.length > 0 && (
          <ul className="org-switcher__list" aria-label="Your organizations">
            {mine.data.map(({ org, role }) => (
              <li key={org.id}>
                <Link
                  to={`/orgs/${org.slug}/members`}
                  className="org-switcher__link"
                  aria-current={current?.org.id === org.id ? 'true' : undefined}
                >
                  <span className="org-switcher__name">{org.name}</span>
                  <span className="org-switcher__role">{ORG_ROLE_LABEL[role]}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <Link to="/orgs" className="org-switcher__link org-switcher__all">
          All organizations
        </Link>
      </div>
    </div>
  );
}

const links = (panel: HTMLElement | null): HTMLAnchorElement[] => [...(panel?.querySelectorAll('a') ?? [])];

/** The link a key moves to from `from` (the button counts as before the first link), or null if it moves nowhere. */
function nextLink(all: HTMLAnchorElement[], from: EventTarget, key: string, onButton: boolean) {
  const at = onButton ? -1 : all.indexOf(from as HTMLAnchorElement);
  if (!onButton && at === -1) return null;
  if (key === 'ArrowDown') return all[Math.min(at + 1, all.length - 1)] ?? null;
  if (key === 'ArrowUp') return onButton ? null : (all[Math.max(at - 1, 0)] ?? null);
  if (key === 'Home') return all[0] ?? null;
  if (key === 'End') return all.at(-1) ?? null;
  return null;
}
