/**
 * Types for the few `natural` modules the NLP tier imports by path. Importing `natural` whole costs ~10 MB
 * of bundle and ~700 ms at cold start (and runs dotenv), so we require single modules; their paths ship
 * no declarations, hence these.
 */

declare module "natural/lib/natural/stemmers/porter_stemmer" {
  /** Martin Porter's English stemmer ("flights" -> "flight", "running" -> "run"). */
  const PorterStemmer: {
    stem(token: string): string;
    tokenizeAndStem(text: string, keepStops?: boolean): string[];
  };
  export = PorterStemmer;
}

declare module "natural/lib/natural/distance/levenshtein_distance" {
  export function LevenshteinDistance(
    source: string,
    target: string,
    options?: { insertion_cost?: number; deletion_cost?: number; substitution_cost?: number },
  ): number;
  export function DamerauLevenshteinDistance(
    source: string,
    target: string,
    options?: { transposition_cost?: number; restricted?: boolean },
  ): number;
}

declare module "natural/lib/natural/classifiers/bayes_classifier" {
  /** natural's multinomial naive Bayes; used only as a benchmark baseline. */
  class BayesClassifier {
    constructor(stemmer?: unknown, smoothing?: number);
    addDocument(text: string | string[], label: string): void;
    train(): void;
    classify(text: string | string[]): string;
    getClassifications(text: string | string[]): { label: string; value: number }[];
  }
  export = BayesClassifier;
}
