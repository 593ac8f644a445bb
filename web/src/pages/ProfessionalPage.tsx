import { Alert, Anchor, Badge, Button, Card, Grid, Group, Modal, Radio, Rating, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { messageOf, unwrap } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorState, Loading } from "../components/States";
import { t } from "../i18n";
import { formatMoney } from "../time/money";
import { addDays, browserZone, formatDateTime, formatDay, formatTime, groupByLocalDay, localDay, supportedZones } from "../time/zones";

type Offering = Schemas["OfferingOut"];
type Slot = Schemas["SlotOut"];

export function ProfessionalPage() {
  const { id = "" } = useParams();
  const profile = useQuery({
    queryKey: ["professional", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/professionals/{professional_id}", { params: { path: { professional_id: id } } })),
  });
  if (profile.isPending) return <Loading />;
  if (profile.isError) return <ErrorState error={profile.error} onRetry={() => profile.refetch()} />;
  const pro = profile.data;
  const offerings = (pro.offerings ?? []).filter((o) => o.published && o.kind === "consultation");
  return (
    <Stack>
      <header>
        <Title order={1}>{pro.display_name}</Title>
        <Text size="lg">{pro.headline}</Text>
        <Group gap={4} mt="xs">
          {pro.specialties.map((s) => (
            <Badge key={s} variant="light">
              {s}
            </Badge>
          ))}
          {pro.languages.map((l) => (
            <Badge key={l} variant="outline" color="gray">
              {l}
            </Badge>
          ))}
        </Group>
      </header>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            <section aria-labelledby="about-title">
              <Title order={2} size="h3" id="about-title">
                {t.professional.about}
              </Title>
              <Text style={{ whiteSpace: "pre-line" }}>{pro.bio}</Text>
            </section>
            <Booking professionalZone={pro.timezone} professionalId={pro.id} offerings={offerings} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Reviews professionalId={pro.id} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Booking({ professionalId, professionalZone, offerings }: { professionalId: string; professionalZone: string; offerings: Offering[] }) {
  const [offeringId, setOfferingId] = useState<string | null>(offerings[0]?.id ?? null);
  const offering = offerings.find((o) => o.id === offeringId) ?? null;
  return (
    <section aria-labelledby="offerings-title">
      <Title order={2} size="h3" id="offerings-title" mb="xs">
        {t.professional.offerings}
      </Title>
      {offerings.length === 0 ? (
        <Empty>{t.professional.noOfferings}</Empty>
      ) : (
        <Stack>
          <Radio.Group label={t.professional.chooseOffering} value={offeringId} onChange={setOfferingId}>
            <Stack gap="xs" mt="xs">
              {offerings.map((o) => (
                <Card key={o.id} withBorder padding="sm">
                  <Radio
                    value={o.id}
                    label={`${o.title} · ${t.professional.minutes(o.duration_minutes)} · ${o.price_minor ? formatMoney(o.price_minor, o.currency) : t.professional.free}`}
                    description={o.description}
                  />
                </Card>
              ))}
            </Stack>
          </Radio.Group>
          {offering && <SlotPicker professionalId={professionalId} professionalZone={professionalZone} offering={offering} />}
        </Stack>
      )}
    </section>
  );
}

function SlotPicker({ professionalId, professionalZone, offering }: { professionalId: string; professionalZone: string; offering: Offering }) {
  const zones = useMemo(() => supportedZones(), []);
  const [zone, setZone] = useState(browserZone());
  const [from, setFrom] = useState(() => localDay(new Date(), browserZone()));
  const [chosen, setChosen] = useState<Slot | null>(null);
  const to = addDays(from, 6);
  const slots = useQuery({
    queryKey: ["slots", professionalId, offering.id, from, to, zone],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/professionals/{professional_id}/slots", {
          params: { path: { professional_id: professionalId }, query: { offering_id: offering.id, from, to, tz: zone } },
        }),
      ),
  });
  const days = slots.data ? groupByLocalDay(slots.data.slots, zone) : [];
  const today = localDay(new Date(), zone);

  return (
    <Stack aria-labelledby="slots-title" component="section">
      <Title order={3} size="h4" id="slots-title">
        {t.professional.slots}
      </Title>
      <Select
        label={t.professional.zone}
        description={t.professional.zoneHint(professionalZone)}
        data={zones}
        searchable
        allowDeselect={false}
        value={zone}
        onChange={(value) => value && setZone(value)}
        maw={360}
      />
      <Group justify="space-between">
        <Button variant="default" size="xs" disabled={from <= today} onClick={() => setFrom(addDays(from, -7))}>
          {t.professional.previousWeek}
        </Button>
        <Text size="sm" aria-live="polite">
          {formatDay(from)} – {formatDay(to)}
        </Text>
        <Button variant="default" size="xs" onClick={() => setFrom(addDays(from, 7))}>
          {t.professional.nextWeek}
        </Button>
      </Group>
      {slots.isPending ? (
        <Loading />
      ) : slots.isError ? (
        <ErrorState error={slots.error} onRetry={() => slots.refetch()} />
      ) : days.length === 0 ? (
        <Empty>{t.professional.noSlots}</Empty>
      ) : (
        <Stack gap="sm">
          {days.map(({ day, slots: daySlots }) => (
            <div key={day} role="group" aria-labelledby={`day-${day}`}>
              <Text fw={600} size="sm" id={`day-${day}`} mb={4}>
                {formatDay(day)}
              </Text>
              <SimpleGrid cols={{ base: 3, xs: 4, sm: 6 }} spacing="xs">
                {daySlots.map((slot) => (
                  <Button key={slot.starts_at} variant="light" size="xs" aria-label={t.professional.bookTime(formatDateTime(slot.starts_at, zone))} onClick={() => setChosen(slot)}>
                    {formatTime(slot.starts_at, zone)}
                  </Button>
                ))}
              </SimpleGrid>
            </div>
          ))}
        </Stack>
      )}
      <BookDialog offering={offering} slot={chosen} zone={zone} onClose={() => setChosen(null)} />
    </Stack>
  );
}

function BookDialog({ offering, slot, zone, onClose }: { offering: Offering; slot: Slot | null; zone: string; onClose: () => void }) {
  const { user } = useAuth();
  const location = useLocation();
  const book = useMutation({
    mutationFn: async (starts_at: string) =>
      unwrap(
        await api.POST("/api/v1/bookings", {
          params: { header: { "Idempotency-Key": crypto.randomUUID() } },
          body: { offering_id: offering.id, starts_at },
        }),
      ),
    onSuccess: (booking) => {
      if (booking.status === "confirmed") notifications.show({ message: t.professional.booked, color: "green" });
      else if (booking.status === "held") notifications.show({ message: t.professional.awaitingApproval });
    },
  });
  const booked = book.data;
  // "held" waits for the professional's approval; "pending_payment" waits for the client's payment.
  const paymentDue = booked?.status === "pending_payment";
  const close = () => {
    book.reset();
    onClose();
  };
  return (
    <Modal opened={slot !== null} onClose={close} title={t.professional.confirmTitle}>
      {slot && (
        <Stack>
          <Text>{t.professional.confirmText(offering.title, formatDateTime(slot.starts_at, zone))}</Text>
          {book.isError && (
            <Alert color="red" role="alert">
              {messageOf(book.error)}
            </Alert>
          )}
          {paymentDue && booked ? (
            <Alert color="yellow" title={t.professional.paymentRequired}>
              <Stack gap="xs" align="flex-start">
                <Text size="sm">{t.professional.paymentText(booked.hold_expires_at ? formatDateTime(booked.hold_expires_at, zone) : null)}</Text>
                <Anchor component={Link} to="/bookings">
                  {t.professional.payLater}
                </Anchor>
              </Stack>
            </Alert>
          ) : booked ? (
            <Alert color="green">{booked.status === "confirmed" ? t.professional.booked : t.professional.awaitingApproval}</Alert>
          ) : user ? (
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t.professional.cancel}
              </Button>
              <Button onClick={() => book.mutate(slot.starts_at)} loading={book.isPending}>
                {t.professional.confirm}
              </Button>
            </Group>
          ) : (
            <Button component={Link} to="/signin" state={{ from: location.pathname }}>
              {t.auth.signInToBook}
            </Button>
          )}
        </Stack>
      )}
    </Modal>
  );
}

function Reviews({ professionalId }: { professionalId: string }) {
  const reviews = useInfiniteQuery({
    queryKey: ["reviews", professionalId],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/professionals/{professional_id}/reviews", {
          params: { path: { professional_id: professionalId }, query: { cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor,
  });
  const items = reviews.data?.pages.flatMap((p) => p.items) ?? [];
  const summary = reviews.data?.pages[0]?.summary;
  return (
    <section aria-labelledby="reviews-title">
      <Title order={2} size="h3" id="reviews-title" mb="xs">
        {t.professional.reviews}
      </Title>
      {summary && summary.average !== null && (
        <Text mb="sm">{t.search.rating(summary.average.toFixed(1), summary.count)}</Text>
      )}
      {reviews.isPending ? (
        <Loading />
      ) : reviews.isError ? (
        <ErrorState error={reviews.error} onRetry={() => reviews.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{t.professional.noReviews}</Empty>
      ) : (
        <Stack gap="sm">
          {items.map((review) => (
            <Card key={review.id} withBorder padding="sm" component="article">
              <Group justify="space-between">
                <Text fw={600} size="sm">
                  {review.author_name}
                </Text>
                <Rating value={review.rating} readOnly size="sm" aria-label={`${review.rating} / 5`} />
              </Group>
              <Text size="sm">{review.text}</Text>
              {review.reply && (
                <Text size="sm" c="dimmed" mt={4}>
                  <strong>{t.professional.reply}:</strong> {review.reply.text}
                </Text>
              )}
            </Card>
          ))}
          {reviews.hasNextPage && (
            <Button variant="subtle" onClick={() => reviews.fetchNextPage()} loading={reviews.isFetchingNextPage}>
              {t.professional.moreReviews}
            </Button>
          )}
        </Stack>
      )}
    </section>
  );
}
