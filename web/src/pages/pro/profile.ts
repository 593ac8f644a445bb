/** The profile form's model and checks (the server's ProfileIn constraints, said before sending). */
import type { Schemas } from "../../api/client";
import { ApiError } from "../../api/problem";

export type Profile = Schemas["ProfileOut"];
export type ProfileBody = Schemas["ProfileIn"];

export interface ProfileForm {
  display_name: string;
  headline: string;
  bio: string;
  specialties: string[];
  languages: string[];
  timezone: string;
  country: string;
  photo_url: string;
  published: boolean;
}

/** Slugs the server accepts (professionals/taxonomy.py); their names are in the dictionary. */
export const SPECIALTIES = [
  "psychology", "psychotherapy", "coaching", "career", "nutrition", "fitness", "yoga", "meditation",
  "language-tutoring", "mathematics", "music", "programming", "design", "law", "finance", "tax", "medicine",
  "physiotherapy", "parenting", "relationships", "business", "marketing", "writing", "photography",
] as const;

export const LANGUAGES = [
  "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "ga", "he", "hi", "hr", "hu",
  "id", "is", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv",
  "sw", "ta", "th", "tl", "tr", "uk", "ur", "vi", "zh",
] as const;

export function profileToForm(profile: Profile | null, fallback: { name: string; timezone: string; locale?: string }): ProfileForm {
  if (profile) {
    return {
      display_name: profile.display_name,
      headline: profile.headline,
      bio: profile.bio,
      specialties: profile.specialties,
      languages: profile.languages,
      timezone: profile.timezone,
      country: profile.country,
      photo_url: profile.photo_url ?? "",
      published: profile.published,
    };
  }
  const region = fallback.locale?.split("-")[1]?.toUpperCase() ?? "";
  const language = fallback.locale?.split("-")[0]?.toLowerCase() ?? "en";
  return {
    display_name: fallback.name,
    headline: "",
    bio: "",
    specialties: [],
    languages: [/^[a-z]{2,3}$/.test(language) ? language : "en"],
    timezone: fallback.timezone,
    country: /^[A-Z]{2}$/.test(region) ? region : "",
    photo_url: "",
    published: false,
  };
}

export type ProfileField = keyof ProfileForm;
export type ProfileProblem = "required" | "tooLong" | "tooMany" | "url";

export function profileProblems(form: ProfileForm): Partial<Record<ProfileField, ProfileProblem>> {
  const problems: Partial<Record<ProfileField, ProfileProblem>> = {};
  if (!form.display_name.trim()) problems.display_name = "required";
  else if (form.display_name.trim().length > 120) problems.display_name = "tooLong";
  if (form.headline.length > 200) problems.headline = "tooLong";
  if (form.bio.length > 5000) problems.bio = "tooLong";
  if (form.specialties.length > 10) problems.specialties = "tooMany";
  if (form.languages.length === 0) problems.languages = "required";
  else if (form.languages.length > 10) problems.languages = "tooMany";
  if (!form.timezone) problems.timezone = "required";
  if (!/^[A-Z]{2}$/.test(form.country)) problems.country = "required";
  const photo = form.photo_url.trim();
  if (photo && (!/^https?:\/\/\S+$/.test(photo) || photo.length > 2048)) problems.photo_url = "url";
  return problems;
}

export function profileBody(form: ProfileForm): ProfileBody {
  const photo = form.photo_url.trim();
  return {
    display_name: form.display_name.trim(),
    headline: form.headline.trim(),
    bio: form.bio.trim(),
    specialties: form.specialties,
    languages: form.languages,
    timezone: form.timezone,
    country: form.country,
    photo_url: photo || null,
    published: form.published,
  };
}

/** The server's per-field messages of a problem+json answer, by field name ("specialties", "languages[0]" → "languages"). */
export function serverFieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const found: Record<string, string> = {};
  for (const problem of error.problem.errors ?? []) {
    // Schema errors name the body and say where in the message: "… - at `$.display_name`".
    const path = problem.field === "body" ? (/at `\$\.([^`]+)`/.exec(problem.message)?.[1] ?? "body") : problem.field;
    const field = path.replace(/^body\./, "").split(/[.[]/)[0] || path;
    found[field] ??= problem.message;
  }
  return found;
}

/** Country codes with a name in this browser (Intl has no list of regions, so every two-letter code is tried). */
export function countryCodes(locale?: string): { value: string; label: string }[] {
  let names: Intl.DisplayNames;
  try {
    names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: "region", fallback: "none" });
  } catch {
    return [];
  }
  const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "AA", "XK"]);
  const codes: { value: string; label: string }[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = NOT_COUNTRIES.has(code) ? undefined : names.of(code);
      if (name && name !== code) codes.push({ value: code, label: name });
    }
  }
  return codes.sort((x, y) => x.label.localeCompare(y.label));
}

export function languageName(code: string, locale?: string): string {
  try {
    return new Intl.DisplayNames(locale ? [locale] : undefined, { type: "language", fallback: "code" }).of(code) ?? code;
  } catch {
    return code;
  }
}
