/**
 * The page's MLP takes every input as a dense value, so categories stay one-hot (never embedded
 * or hashed index inputs): the 256 most frequent values per column, the rest in the OOV input.
 */
export const SCHEMA_OPTIONS = { onBadRecord: "skip", maxCategories: 256, maxOneHot: 256 } as const;
