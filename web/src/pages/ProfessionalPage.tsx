import { Alert, Anchor, Badge, Button, Card, Grid, Group, Modal, Radio, Rating, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { messageOf, unwrap } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { SlotPicker, type Slot } from "../components/SlotPicker";
import { Empty, ErrorState, Loading } from "../components/States";
import { ClassSessions } from "../features/classes/ClassSessions";
import { t } from "../i18n";
import { formatMoney } from "../time/money";
import { browserZone, formatDateTime } from "../time/zones";

type Offering = Schemas["OfferingOut"];

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
  const classes = (pro.offerings ?? []).filter((o) => o.published && o.kind === "class");
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
            {classes.length > 0 && <Classes classes={classes} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Reviews professionalId={pro.id} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** Group classes: each with its sessions to come, to enrol in (or wait for a seat), in the viewer's zone. */
function Classes({ classes }: { classes: Offering[] }) {
  return (
    <section aria-labelledby="classes-title">
      <Title order={2} size="h3" id="classes-title" mb="xs">
        {t.classes.sessions}
      </Title>
      <Stack>
        {classes.map((offering) => (
          <Card key={offering.id} withBorder padding="sm">
            <Stack gap="xs">
              <Group justify="space-between">
                <Title order={3} size="h5">
                  {offering.title}
                </Title>
                <Text size="sm">
                  {t.professional.minutes(offering.duration_minutes)} ·{" "}
                  {offering.price_minor === 0 ? t.professional.free : formatMoney(offering.price_minor, offering.currency)}
                </Text>
              </Group>
              <ClassSessions offeringId={offering.id} zone={browserZone()} />
            </Stack>
          </Card>
        ))}
      </Stack>
    </section>
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
          {offering && <OfferingSlots key={offering.id} professionalId={professionalId} professionalZone={professionalZone} offering={offering} />}
        </Stack>
      )}
    </section>
  );
}

function OfferingSlots({ professionalId, professionalZone, offering }: { professionalId: string; professionalZone: string; offering: Offering }) {
  const [chosen, setChosen] = useState<{ slot: Slot; zone: string } | null>(null);
  return (
    <>
      <SlotPicker professionalId={professionalId} professionalZone={professionalZone} offeringId={offering.id} onChoose={(slot, zone) => setChosen({ slot, zone })} />
      <BookDialog offering={offering} slot={chosen?.slot ?? null} zone={chosen?.zone ?? professionalZone} onClose={() => setChosen(null)} />
    </>
  );
}

function BookDialog({ offering, slot, zone, onClose }: { offering: Offering; slot: Slot | null; zone: string; onClose: () => void }) {
  const { user } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
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
      // A paid offering: straight on to the payment form, while the time is held.
      else if (booking.status === "pending_payment") navigate(`/bookings/${booking.id}`, { state: { justBooked: true } });
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
                <Anchor component={Link} to={`/bookings/${booked.id}`}>
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
