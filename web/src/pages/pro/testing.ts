/** The professional's profile the pro pages' tests answer GET /api/v1/me/professional with. */
export const PROFILE = {
  id: "7e0f2c1a-0000-4000-8000-000000000001",
  display_name: "Dr Example",
  headline: "",
  bio: "",
  specialties: [],
  languages: ["en"],
  timezone: "Europe/Paris",
  country: "FR",
  photo_url: null,
  published: true,
  created_at: "2026-11-01T00:00:00Z",
  offerings: [],
};
