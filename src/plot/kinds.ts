/**
 * The kinds of plot `anycast-replay plot` draws, by the CSV they read. Kept
 * apart from the renderers so the command table (cli/program.ts) can list
 * them without loading the plot code; `registry.ts` maps each one to its
 * renderer, and a kind without a renderer fails to compile.
 */
export const PLOT_KINDS = ['imbalance', 'distribution', 'timeseries', 'sweep', 'events'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** `--kind`: a kind, or `auto` (found from the CSV's header). */
export type PlotKindChoice = PlotKind | 'auto';
