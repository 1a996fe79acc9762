/**
 * Text normalisation shared by the rule tier and the NLP tier: Unicode NFKC, case folding, and a
 * diacritics-free form so Vietnamese typed without accents matches Vietnamese written with them.
 */

/**
 * NFKC + lower case + collapsed whitespace; keeps letters of every script. Locale-independent lower case:
 * rules and models are compiled on one machine and used on another, whose locale may differ (Turkish "I").
 */
export function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}

/** Removes combining marks (and maps đ to d) after NFD, so "tiếng việt" and "tieng viet" compare equal. */
export function stripDiacritics(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .normalize("NFC");
}

/** The form used for exact-phrase and keyword matching: normalised, accents removed, punctuation as spaces. */
export function matchKey(text: string): string {
  return stripDiacritics(normalize(text))
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}
