/** The quick emoji set offered by the composer and the reaction picker (Unicode, no images). */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '🔥', '👀', '✅', '💡', '🚀'] as const;
