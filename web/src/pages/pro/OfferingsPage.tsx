import { Alert, Anchor, Badge, Button, Card, Fieldset, Group, Modal, NumberInput, Radio, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatMoney } from "../../time/money";
import {
  CURRENCIES,
  currencyDigits,
  newOfferingForm,
  offeringBody,
  offeringProblems,
  offeringToForm,
  type Offering,
  type OfferingBody,
  type OfferingField,
  type OfferingForm,
} from "./offerings";
import { SaveFeedback } from "./SaveFeedback";
import { useFieldErrors } from "./useFieldErrors";
import { serverFieldErrors } from "./profile";
import { proKeys, useMyOfferings } from "./queries";

const s = t.pro.offerings;

/** Where the server names a field of OfferingCreate, the form's field it comes from. */
const SERVER_FIELDS: Record<string, OfferingField> = {
  kind: "kind",
  title: "title",
  description: "description",
  duration_minutes: "durationMinutes",
  price_minor: "price",
  currency: "currency",
  slot_step_minutes: "slotStepMinutes",
  buffer_before_minutes: "bufferBeforeMinutes",
  buffer_after_minutes: "bufferAfterMinutes",
  min_notice_minutes: "minNoticeHours",
  horizon_days: "horizonDays",
  max_per_day: "maxPerDay",
  cancellation_free_hours: "cancellationFreeHours",
  late_cancellation_refund_percent: "lateCancellationRefundPercent",
  capacity: "capacity",
};

type Editing = { mode: "create" } | { mode: "edit"; offering: Offering } | null;

export function OfferingsPage() {
  const [editing, setEditing] = useState<Editing>(null);
  const offerings = useMyOfferings();
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>{s.title}</Title>
          <Text c="dimmed">{s.intro}</Text>
        </div>
        <Button onClick={() => setEditing({ mode: "create" })}>{s.new}</Button>
      </Group>
      {offerings.isPending ? (
        <Loading />
      ) : offerings.isError ? (
        <ErrorState error={offerings.error} onRetry={() => offerings.refetch()} />
      ) : offerings.data.length === 0 ? (
        <Empty>{s.empty}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          {offerings.data.map((offering) => (
            <OfferingCard key={offering.id} offering={offering} onEdit={() => setEditing({ mode: "edit", offering })} />
          ))}
        </SimpleGrid>
      )}
      <OfferingDialog editing={editing} onClose={() => setEditing(null)} />
    </Stack>
  );
}

function useSaveOffering(onSaved?: (offering: Offering) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string | null; body: OfferingBody }) =>
      id
        ? unwrap(await api.PUT("/api/v1/me/offerings/{offering_id}", { params: { path: { offering_id: id } }, body }))
        : unwrap(await api.POST("/api/v1/me/offerings", { body })),
    onSuccess: async (offering) => {
      onSaved?.(offering);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: proKeys.offerings }),
        queryClient.invalidateQueries({ queryKey: proKeys.profile }),
        queryClient.invalidateQueries({ queryKey: ["professional", offering.professional_id] }),
      ]);
    },
  });
}

function priceText(offering: Offering): string {
  return offering.price_minor ? formatMoney(offering.price_minor, offering.currency) : s.free;
}

function OfferingCard({ offering, onEdit }: { offering: Offering; onEdit: () => void }) {
  const publish = useSaveOffering((saved) =>
    notifications.show({ color: "green", message: saved.published ? s.publishedNow(saved.title) : s.unpublishedNow(saved.title) }),
  );
  const toggle = () => {
    const form = offeringToForm(offering);
    publish.mutate({ id: offering.id, body: offeringBody({ ...form, published: !offering.published }) });
  };
  const titleId = `offering-${offering.id}`;
  return (
    <Card withBorder component="article" aria-labelledby={titleId}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={2} size="h4" id={titleId}>
            {offering.title}
          </Title>
          <Text fw={600}>{priceText(offering)}</Text>
        </Group>
        <Group gap={6}>
          <Badge variant="light">{offering.kind === "class" ? s.kindClass : s.kindConsultation}</Badge>
          <Badge variant="light" color={offering.published ? "green" : "gray"}>
            {offering.published ? s.published : s.unpublished}
          </Badge>
          {offering.requires_approval && (
            <Badge variant="light" color="yellow">
              {s.needsApproval}
            </Badge>
          )}
        </Group>
        {offering.description && (
          <Text size="sm" lineClamp={3}>
            {offering.description}
          </Text>
        )}
        <Text size="sm" c="dimmed">
          {[
            s.minutes(offering.duration_minutes),
            offering.capacity !== null ? s.seats(offering.capacity) : null,
            s.freeCancellation(offering.cancellation_free_hours),
            offering.late_cancellation_refund_percent ? s.lateRefund(offering.late_cancellation_refund_percent) : null,
          ]
            .filter(Boolean)
            .join(" · ")}
        </Text>
        {publish.isError && (
          <Alert color="red" role="alert">
            {messageOf(publish.error)}
          </Alert>
        )}
        <Group gap="xs" mt="auto">
          <Button size="xs" variant="default" onClick={onEdit} aria-label={s.editNamed(offering.title)}>
            {s.edit}
          </Button>
          <Button
            size="xs"
            variant="default"
            loading={publish.isPending}
            onClick={toggle}
            aria-label={offering.published ? s.unpublishNamed(offering.title) : s.publishNamed(offering.title)}
          >
            {offering.published ? s.unpublish : s.publish}
          </Button>
          {offering.kind === "class" && (
            <Button size="xs" variant="light" component={Link} to={`/pro/offerings/${offering.id}/sessions`} aria-label={s.sessionsNamed(offering.title)}>
              {s.sessions}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

function OfferingDialog({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const phone = useMediaQuery("(max-width: 36em)");
  return (
    <Modal opened={editing !== null} onClose={onClose} title={editing?.mode === "edit" ? s.editTitle : s.newTitle} size="lg" fullScreen={phone}>
      {editing && (
        <OfferingFormView
          key={editing.mode === "edit" ? editing.offering.id : "new"}
          offering={editing.mode === "edit" ? editing.offering : null}
          onDone={onClose}
        />
      )}
    </Modal>
  );
}

function OfferingFormView({ offering, onDone }: { offering: Offering | null; onDone: () => void }) {
  const [form, setForm] = useState<OfferingForm>(() => (offering ? offeringToForm(offering) : newOfferingForm()));
  const save = useSaveOffering((saved) => {
    notifications.show({ color: "green", message: offering ? s.saved(saved.title) : s.created(saved.title) });
    onDone();
  });
  const problems = offeringProblems(form);
  const fromServer = Object.fromEntries(
    Object.entries(serverFieldErrors(save.error)).flatMap(([field, message]) => (SERVER_FIELDS[field] ? [[SERVER_FIELDS[field], message]] : [])),
  ) as Partial<Record<OfferingField, string>>;
  const { error, submit, showProblems } = useFieldErrors(problems, fromServer, s.problems);
  const set = <K extends OfferingField>(field: K, value: OfferingForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  const number = (field: OfferingField, label: string, props: { min?: number; max?: number; description?: string; decimalScale?: number } = {}) => (
    <NumberInput
      label={label}
      value={form[field] as number | string}
      onChange={(value) => set(field, value as never)}
      error={error(field)}
      allowNegative={false}
      allowDecimal={props.decimalScale !== undefined}
      decimalScale={props.decimalScale}
      min={props.min}
      max={props.max}
      description={props.description}
    />
  );
  const isClass = form.kind === "class";
  return (
    <form
      noValidate
      onSubmit={submit(() => save.mutate({ id: offering?.id ?? null, body: offeringBody(form) }))}
    >
      <Stack gap="sm">
        <Radio.Group
          label={s.kind}
          value={form.kind}
          onChange={(value) => {
            const kind = value === "class" ? "class" : "consultation";
            setForm((current) => ({ ...current, kind, capacity: kind === "class" ? current.capacity || 10 : "" }));
          }}
        >
          <Group mt={4}>
            <Radio value="consultation" label={s.kindConsultationLong} disabled={offering !== null} />
            <Radio value="class" label={s.kindClassLong} disabled={offering !== null} />
          </Group>
        </Radio.Group>
        <TextInput label={s.titleField} required value={form.title} maxLength={120} onChange={(e) => set("title", e.currentTarget.value)} error={error("title")} />
        <Textarea
          label={s.description}
          value={form.description}
          maxLength={5000}
          autosize
          minRows={2}
          onChange={(e) => set("description", e.currentTarget.value)}
          error={error("description")}
        />
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
          {number("durationMinutes", s.duration, { min: 5, max: 480 })}
          <NumberInput
            label={s.price}
            description={s.priceHint}
            value={form.price}
            onChange={(value) => set("price", value)}
            error={error("price")}
            allowNegative={false}
            decimalScale={currencyDigits(form.currency)}
            min={0}
          />
          <Select
            label={s.currency}
            data={CURRENCIES.includes(form.currency) ? CURRENCIES : [form.currency, ...CURRENCIES]}
            value={form.currency}
            onChange={(value) => value && set("currency", value)}
            allowDeselect={false}
            error={error("currency")}
          />
        </SimpleGrid>
        {isClass
          ? number("capacity", s.capacity, { min: 1, max: 1000, description: s.capacityHint })
          : (
            <Switch
              label={s.requiresApproval}
              description={s.requiresApprovalHint}
              checked={form.requiresApproval}
              onChange={(e) => set("requiresApproval", e.currentTarget.checked)}
            />
          )}
        <Fieldset legend={s.bookingRules} variant="filled">
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
            {!isClass && number("slotStepMinutes", s.slotStep, { min: 5, max: 480, description: s.slotStepHint })}
            {number("bufferBeforeMinutes", s.bufferBefore, { min: 0, max: 240 })}
            {number("bufferAfterMinutes", s.bufferAfter, { min: 0, max: 240 })}
            {number("minNoticeHours", s.minNotice, { min: 0, max: 1440, decimalScale: 2 })}
            {!isClass && number("horizonDays", s.horizon, { min: 1, max: 365 })}
            {!isClass && number("maxPerDay", s.maxPerDay, { min: 1, max: 100, description: s.maxPerDayHint })}
          </SimpleGrid>
        </Fieldset>
        <Fieldset legend={s.cancellationPolicy} variant="filled">
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
            {number("cancellationFreeHours", s.cancellationFree, { min: 0, max: 720, description: s.cancellationFreeHint })}
            {number("lateCancellationRefundPercent", s.lateRefundField, { min: 0, max: 100, description: s.lateRefundHint })}
          </SimpleGrid>
        </Fieldset>
        <Switch label={s.publishedField} description={s.publishedHint} checked={form.published} onChange={(e) => set("published", e.currentTarget.checked)} />
        <SaveFeedback error={save.error} failedTitle={s.saveFailed} problems={showProblems ? s.fixProblems : null} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {s.cancel}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {offering ? s.save : s.create}
          </Button>
        </Group>
        {offering === null && (
          <Text size="xs" c="dimmed">
            {s.paymentsNote}{" "}
            <Anchor component={Link} to="/pro/earnings" size="xs">
              {s.paymentsLink}
            </Anchor>
          </Text>
        )}
      </Stack>
    </form>
  );
}
