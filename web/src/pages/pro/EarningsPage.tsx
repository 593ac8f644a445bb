import "@mantine/charts/styles.css";

import { BarChart } from "@mantine/charts";
import { Alert, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Schemas } from "../../api/client";
import { ApiError, messageOf, toProblem, unwrap } from "../../api/problem";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { formatMoney } from "../../time/money";
import { localDay } from "../../time/zones";
import { currencyDigits } from "./offerings";
import { formatMonth, monthlyTotals, monthSeries, parseEarningsCsv } from "./earnings";
import { proKeys, useProZone } from "./queries";
import { zoneLabel } from "./time";

const s = t.pro.earnings;
type Total = Schemas["EarningsTotal"];

/** The JSON answer's totals (the schema also allows the CSV form of the same endpoint, hence the check). */
function totalsOf(answer: unknown): Total[] {
  if (typeof answer !== "object" || answer === null || !("totals" in answer) || !Array.isArray(answer.totals)) return [];
  return answer.totals as Total[];
}

/** The export as text: the same lines a bookkeeper downloads, which the chart adds up by month. */
async function earningsCsv(): Promise<string> {
  const { data, error, response } = await api.GET("/api/v1/me/earnings", { params: { query: { format: "csv" } }, parseAs: "text" });
  if (!response.ok || error !== undefined || typeof data !== "string") throw new ApiError(toProblem(response.status, error, response.statusText));
  return data;
}

function download(csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "confer-earnings.csv";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function EarningsPage() {
  const zone = useProZone();
  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>{s.title}</Title>
        <Text c="dimmed">{s.intro}</Text>
      </div>
      <Payouts />
      <Totals />
      <Monthly zone={zone} />
    </Stack>
  );
}

function Payouts() {
  const payouts = useQuery({
    queryKey: proKeys.payouts,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/payouts")),
  });
  const onboard = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/me/payouts/onboarding")),
    onSuccess: (link) => window.location.assign(link.url),
  });
  return (
    <Card withBorder component="section" aria-labelledby="payouts-title">
      <Title order={2} size="h3" id="payouts-title" mb="xs">
        {s.payoutsTitle}
      </Title>
      {payouts.isPending ? (
        <Loading />
      ) : payouts.isError ? (
        <ErrorState error={payouts.error} onRetry={() => payouts.refetch()} />
      ) : (
        <Stack gap="sm">
          <Group gap={6}>
            {(
              [
                ["connected", payouts.data.connected],
                ["details_submitted", payouts.data.details_submitted],
                ["charges_enabled", payouts.data.charges_enabled],
                ["payouts_enabled", payouts.data.payouts_enabled],
              ] as const
            ).map(([key, on]) => (
              <Badge key={key} variant="light" color={on ? "green" : "gray"}>
                {s.flags[key]}: {on ? s.yes : s.no}
              </Badge>
            ))}
          </Group>
          <Text size="sm">{payouts.data.payouts_enabled ? s.payoutsReady : payouts.data.connected ? s.payoutsIncomplete : s.payoutsNone}</Text>
          {onboard.isError && (
            <Alert color="red" role="alert">
              {messageOf(onboard.error)}
            </Alert>
          )}
          {!payouts.data.payouts_enabled && (
            <Group>
              <Button loading={onboard.isPending} onClick={() => onboard.mutate()}>
                {payouts.data.connected ? s.continueOnboarding : s.startOnboarding}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Card>
  );
}

function Totals() {
  const earnings = useQuery({
    queryKey: proKeys.earnings,
    queryFn: async () => totalsOf(unwrap(await api.GET("/api/v1/me/earnings"))),
  });
  return (
    <section aria-labelledby="totals-title">
      <Title order={2} size="h3" id="totals-title" mb="xs">
        {s.totalsTitle}
      </Title>
      {earnings.isPending ? (
        <Loading />
      ) : earnings.isError ? (
        <ErrorState error={earnings.error} onRetry={() => earnings.refetch()} />
      ) : earnings.data.length === 0 ? (
        <Empty>{s.empty}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {earnings.data.map((total) => (
            <Card key={total.currency} withBorder component="article" aria-label={s.totalIn(total.currency)}>
              <Text size="sm" c="dimmed">
                {s.netIn(total.currency)}
              </Text>
              <Text size="xl" fw={700}>
                {formatMoney(total.net_minor ?? 0, total.currency)}
              </Text>
              <Table mt="xs" withRowBorders={false} verticalSpacing={2}>
                <Table.Tbody>
                  {(
                    [
                      [s.gross, total.gross_minor],
                      [s.fees, -(total.fees_minor ?? 0)],
                      [s.refunds, -(total.refunds_minor ?? 0)],
                    ] as const
                  ).map(([label, amount]) => (
                    <Table.Tr key={label}>
                      <Table.Th fw={400}>{label}</Table.Th>
                      <Table.Td ta="right">{formatMoney(amount ?? 0, total.currency)}</Table.Td>
                    </Table.Tr>
                  ))}
                  <Table.Tr>
                    <Table.Th fw={400}>{s.payments}</Table.Th>
                    <Table.Td ta="right">{total.payments ?? 0}</Table.Td>
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </section>
  );
}

function Monthly({ zone }: { zone: string }) {
  const csv = useQuery({ queryKey: [...proKeys.earnings, "csv"], queryFn: earningsCsv });
  const [chosen, setChosen] = useState<string | null>(null);
  const lines = csv.data ? parseEarningsCsv(csv.data) : [];
  const totals = monthlyTotals(lines, zone);
  const currencies = [...new Set(totals.map((total) => total.currency))].sort();
  const currency = chosen && currencies.includes(chosen) ? chosen : currencies[0];
  const thisMonth = localDay(new Date(), zone).slice(0, 7);
  const series = currency ? monthSeries(totals, currency, thisMonth, 12) : [];
  const major = (minor: number) => (currency ? minor / 10 ** currencyDigits(currency) : minor);
  const money = (value: number) => (currency ? formatMoney(Math.round(value * 10 ** currencyDigits(currency)), currency) : String(value));
  const data = series.map((month) => ({ month: formatMonth(month.month), [s.gross]: major(month.grossMinor), [s.net]: major(month.netMinor) }));
  const rows = totals.filter((total) => total.currency === currency).reverse();
  return (
    <Card withBorder component="section" aria-labelledby="monthly-title">
      <Group justify="space-between" mb="xs" gap="xs">
        <Title order={2} size="h3" id="monthly-title">
          {s.monthlyTitle}
        </Title>
        <Group gap="xs">
          {currencies.length > 1 && currency && (
            <Select aria-label={s.currency} data={currencies} value={currency} onChange={setChosen} allowDeselect={false} size="xs" w={100} />
          )}
          <Button variant="default" size="xs" disabled={!csv.data} onClick={() => csv.data && download(csv.data)}>
            {s.downloadCsv}
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        {s.monthlyHint(zoneLabel(zone))}
      </Text>
      {csv.isPending ? (
        <Loading />
      ) : csv.isError ? (
        <ErrorState error={csv.error} onRetry={() => csv.refetch()} />
      ) : !currency ? (
        <Empty>{s.empty}</Empty>
      ) : (
        <Stack>
          <div aria-hidden>
            <BarChart
              h={260}
              data={data}
              dataKey="month"
              withLegend
              valueFormatter={money}
              series={[
                { name: s.gross, color: "gray.5" },
                { name: s.net, color: "teal.6" },
              ]}
            />
          </div>
          <Table.ScrollContainer minWidth={480}>
            <Table striped aria-labelledby="monthly-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{s.month}</Table.Th>
                  <Table.Th ta="right">{s.payments}</Table.Th>
                  <Table.Th ta="right">{s.gross}</Table.Th>
                  <Table.Th ta="right">{s.fees}</Table.Th>
                  <Table.Th ta="right">{s.refunds}</Table.Th>
                  <Table.Th ta="right">{s.net}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((month) => (
                    <Table.Tr key={month.month}>
                      <Table.Td>{formatMonth(month.month)}</Table.Td>
                      <Table.Td ta="right">{month.payments}</Table.Td>
                      <Table.Td ta="right">{formatMoney(month.grossMinor, month.currency)}</Table.Td>
                      <Table.Td ta="right">{formatMoney(month.feeMinor, month.currency)}</Table.Td>
                      <Table.Td ta="right">{formatMoney(month.refundedMinor, month.currency)}</Table.Td>
                      <Table.Td ta="right">{formatMoney(month.netMinor, month.currency)}</Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      )}
    </Card>
  );
}
