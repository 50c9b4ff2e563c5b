// Inline SVG icons: the console makes no external requests, so no icon font or CDN.
import type { ReactElement } from 'react';

interface IconProps {
  readonly title?: string;
}

function Svg({ title, children }: IconProps & { readonly children: ReactElement[] }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      role={title === undefined ? undefined : 'img'}
      aria-hidden={title === undefined ? true : undefined}
      aria-label={title}
      focusable="false"
    >
      {children}
    </svg>
  );
}

/** A circle of the 24×24 grid. */
interface Circle {
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

/** An icon drawn from path data (`d`) and circles, in order; every icon shares the one stroke style. */
function icon(...shapes: ReadonlyArray<string | Circle>) {
  return function Icon(props: IconProps) {
    return (
      <Svg {...props}>
        {shapes.map((shape, index) =>
          typeof shape === 'string' ? <path key={index} d={shape} /> : <circle key={index} {...shape} />,
        )}
      </Svg>
    );
  };
}

export const LogoIcon = icon(
  { cx: 12, cy: 12, r: 3 },
  'M5.6 5.6a9 9 0 0 0 0 12.8M18.4 5.6a9 9 0 0 1 0 12.8M8.5 8.5a5 5 0 0 0 0 7M15.5 8.5a5 5 0 0 1 0 7',
);
export const PlusIcon = icon('M12 5v14M5 12h14');
export const CheckIcon = icon('M20 6 9 17l-5-5');
export const AlertIcon = icon({ cx: 12, cy: 12, r: 9 }, 'M12 8v4M12 16h.01');
export const LinkIcon = icon(
  'M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7',
  'M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7',
);
export const RefreshIcon = icon('M21 12a9 9 0 1 1-3-6.7L21 8', 'M21 3v5h-5');
export const TrashIcon = icon('M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6');
export const PowerIcon = icon('M12 2v10', 'M18.4 6.6a9 9 0 1 1-12.8 0');
export const SendIcon = icon('m22 2-11 11M22 2l-7 20-4-9-9-4 20-7z');
export const CloseIcon = icon('M18 6 6 18M6 6l12 12');
export const SignOutIcon = icon('M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9');
