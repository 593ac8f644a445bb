/**
 * Confer's Mantine theme, tuned for WCAG AA contrast (4.5:1 for text): Mantine's default shades 6 are too light for
 * text on white, so filled colours use shade 9, tinted variants (light, subtle, outline) darken their text, filled
 * text turns black or white by the background's luminance, and dimmed text and placeholders use a darker grey.
 */
import {
  createTheme,
  darken,
  defaultVariantColorsResolver,
  parseThemeColor,
  type CSSVariablesResolver,
  type VariantColorsResolver,
} from "@mantine/core";

const TINTED = new Set(["light", "subtle", "outline"]);

const readableVariants: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  const parsed = parseThemeColor({ color: input.color ?? input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor || !input.variant || !TINTED.has(input.variant)) return colors;
  const text = darken(input.theme.colors[parsed.color]?.[9] ?? parsed.value, 0.35);
  return { ...colors, color: text, hoverColor: text, ...(input.variant === "outline" ? { border: `1px solid ${text}` } : {}) };
};

export const theme = createTheme({
  primaryColor: "teal",
  primaryShade: { light: 9, dark: 7 },
  autoContrast: true,
  defaultRadius: "md",
  variantColorResolver: readableVariants,
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-placeholder": "var(--mantine-color-gray-7)",
  },
  dark: {},
});
