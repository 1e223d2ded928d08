/**
 * The narrow subset of vader-sentiment (a CommonJS webpack bundle with no typings) that
 * Earshot calls. Only the default export is declared: Node cannot see named exports in the bundle.
 */
declare module 'vader-sentiment' {
  interface PolarityScores {
    readonly neg: number;
    readonly neu: number;
    readonly pos: number;
    /** Normalised, weighted sum of valences: −1 … 1. */
    readonly compound: number;
  }

  const vader: {
    readonly SentimentIntensityAnalyzer: {
      polarity_scores(text: string): PolarityScores;
    };
  };
  export default vader;
}
