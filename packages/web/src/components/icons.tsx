/** A few stroke icons as inline SVG (no image assets); they take the text colour. */
const base = {
  width: 18,
  height: 18,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 2,
  strokeLinecap: 'round',
  strokeLinejoin: 'round',
  'aria-hidden': true,
} as const;

export const PlusIcon = () => (
  <svg {...base}>
    <path d="M12 5v14M5 12h14" />
  </svg>
);

/** Points forward: mirrored right to left (.cm-flip). */
export const SendIcon = () => (
  <svg {...base} width={16} height={16} className="cm-flip">
    <path d="M4 12 20 4l-6 16-3-7-7-1Z" />
  </svg>
);

/** Six dots: "drag me". Filled, so it reads at a small size. */
export const GripIcon = () => (
  <svg {...base} width={16} height={16} fill="currentColor" stroke="none">
    {[6, 12, 18].flatMap((y) => [<circle key={`a${y}`} cx={9} cy={y} r={1.6} />, <circle key={`b${y}`} cx={15} cy={y} r={1.6} />])}
  </svg>
);

/** A padlock: a setting the config file or environment holds. */
export const LockIcon = () => (
  <svg {...base} width={12} height={12}>
    <rect x={5} y={11} width={14} height={10} rx={2} />
    <path d="M8 11V7a4 4 0 0 1 8 0v4" />
  </svg>
);

/** A bell: notifications; struck through when muted. */
export const BellIcon = ({ muted = false }: { muted?: boolean }) => (
  <svg {...base}>
    <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
    <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    {muted && <path d="M3 3l18 18" />}
  </svg>
);
