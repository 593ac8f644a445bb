"""The specialties a professional can list (slugs; the web client translates them)."""

SPECIALTIES = frozenset(
    {
        "psychology",
        "psychotherapy",
        "coaching",
        "career",
        "nutrition",
        "fitness",
        "yoga",
        "meditation",
        "language-tutoring",
        "mathematics",
        "music",
        "programming",
        "design",
        "law",
        "finance",
        "tax",
        "medicine",
        "physiotherapy",
        "parenting",
        "relationships",
        "business",
        "marketing",
        "writing",
        "photography",
    }
)
