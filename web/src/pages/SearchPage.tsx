import { Anchor, Badge, Button, Card, Grid, Group, NumberInput, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { unwrap } from "../api/problem";
import { Empty, ErrorState, Loading } from "../components/States";
import { t } from "../i18n";
import { formatMoney } from "../time/money";
import { browserZone, formatDateTime } from "../time/zones";

type Sort = "relevance" | "price" | "rating" | "next_available";

interface Filters {
  q: string;
  specialty: string;
  language: string;
  priceMax: number | null;
  currency: string;
  sort: Sort;
}

const EMPTY: Filters = { q: "", specialty: "", language: "", priceMax: null, currency: "EUR", sort: "relevance" };

const LANGUAGES = [
  { value: "en", label: "English" },
  { value: "fr", label: "Français" },
  { value: "de", label: "Deutsch" },
  { value: "es", label: "Español" },
  { value: "it", label: "Italiano" },
  { value: "pt", label: "Português" },
  { value: "nl", label: "Nederlands" },
];

const SORTS: { value: Sort; label: string }[] = [
  { value: "relevance", label: t.search.sortRelevance },
  { value: "price", label: t.search.sortPrice },
  { value: "rating", label: t.search.sortRating },
  { value: "next_available", label: t.search.sortNextAvailable },
];

function isSort(value: string | null): value is Sort {
  return SORTS.some((s) => s.value === value);
}

export function SearchPage() {
  const zone = browserZone();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const results = useInfiniteQuery({
    queryKey: ["professionals", filters, zone],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/professionals", {
          params: {
            query: {
              q: filters.q || null,
              specialty: filters.specialty || null,
              language: filters.language || null,
              price_max: filters.priceMax === null ? null : Math.round(filters.priceMax * 100),
              currency: filters.priceMax === null ? null : filters.currency,
              sort: filters.sort,
              cursor: pageParam,
              tz: zone,
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
  }

  const cards = results.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Stack>
      <Title order={1}>{t.search.title}</Title>
      <form onSubmit={submit} role="search" aria-label={t.search.filters}>
        <Grid align="flex-end">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <TextInput label={t.search.query} placeholder={t.search.queryPlaceholder} maxLength={200} value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 2 }}>
            <TextInput label={t.search.specialty} placeholder={t.search.specialtyPlaceholder} maxLength={40} value={draft.specialty} onChange={(e) => setDraft({ ...draft, specialty: e.currentTarget.value })} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 2 }}>
            <Select label={t.search.language} placeholder={t.search.languagePlaceholder} data={LANGUAGES} clearable value={draft.language || null} onChange={(value) => setDraft({ ...draft, language: value ?? "" })} />
          </Grid.Col>
          <Grid.Col span={{ base: 8, sm: 4, md: 2 }}>
            <NumberInput label={t.search.priceMax} min={0} decimalScale={2} value={draft.priceMax ?? ""} onChange={(value) => setDraft({ ...draft, priceMax: typeof value === "number" ? value : null })} />
          </Grid.Col>
          <Grid.Col span={{ base: 4, sm: 2, md: 2 }}>
            <Select label={t.search.currency} data={["EUR", "USD", "GBP", "CHF"]} value={draft.currency} onChange={(value) => value && setDraft({ ...draft, currency: value })} allowDeselect={false} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 3 }}>
            <Select label={t.search.sort} data={SORTS} value={draft.sort} allowDeselect={false} onChange={(value) => isSort(value) && setDraft({ ...draft, sort: value })} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 2 }}>
            <Button type="submit" fullWidth>
              {t.search.submit}
            </Button>
          </Grid.Col>
        </Grid>
      </form>
      <section aria-labelledby="results-title" aria-busy={results.isFetching}>
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h3" id="results-title">
            {t.search.results}
          </Title>
          <Text size="sm" c="dimmed">
            {t.search.shownInZone(zone)}
          </Text>
        </Group>
        {results.isPending ? (
          <Loading />
        ) : results.isError ? (
          <ErrorState error={results.error} onRetry={() => results.refetch()} />
        ) : cards.length === 0 ? (
          <Empty>{t.search.empty}</Empty>
        ) : (
          <Stack>
            <Grid>
              {cards.map((card) => (
                <Grid.Col key={card.id} span={{ base: 12, sm: 6, lg: 4 }}>
                  <ProfessionalCard card={card} zone={zone} />
                </Grid.Col>
              ))}
            </Grid>
            {results.hasNextPage && (
              <Button variant="light" onClick={() => results.fetchNextPage()} loading={results.isFetchingNextPage} mx="auto">
                {t.search.loadMore}
              </Button>
            )}
          </Stack>
        )}
      </section>
    </Stack>
  );
}

function ProfessionalCard({ card, zone }: { card: Schemas["ProfessionalCard"]; zone: string }) {
  return (
    <Card withBorder h="100%" component="article" aria-labelledby={`pro-${card.id}`}>
      <Stack gap={6}>
        <Anchor component={Link} to={`/professionals/${card.id}`} fw={600} size="lg" id={`pro-${card.id}`} aria-label={t.search.viewProfile(card.display_name)}>
          {card.display_name}
        </Anchor>
        <Text size="sm">{card.headline}</Text>
        <Group gap={4}>
          {card.specialties.map((s) => (
            <Badge key={s} variant="light" size="sm">
              {s}
            </Badge>
          ))}
        </Group>
        <Text size="sm">{priceText(card.price_from)}</Text>
        <Text size="sm">{card.rating_avg === null ? t.search.noRating : t.search.rating(card.rating_avg.toFixed(1), card.rating_count)}</Text>
        <Text size="sm" c={card.next_available_at ? undefined : "dimmed"}>
          {card.next_available_at ? t.search.nextFree(formatDateTime(card.next_available_at, zone)) : t.search.noFreeSlot}
        </Text>
      </Stack>
    </Card>
  );
}

function priceText(price: Schemas["PriceFrom"] | null): string {
  if (!price) return t.search.noPrice;
  if (price.amount_minor === 0) return t.professional.free;
  return t.search.priceFrom(formatMoney(price.amount_minor, price.currency));
}
