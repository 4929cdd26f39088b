import { Body, Container, Head, Heading, Html, Link, Preview, Section, Text } from "@react-email/components";

export interface EventNoticeEmailProps {
  /** One line: what happened. */
  headline: string;
  toolName: string;
  toolArgs: string;
  agentId: string;
  reason: string;
  /** The request in the dashboard. */
  dashboardUrl: string;
}

/** To a listed recipient (Notifications screen): an event happened; details in the dashboard. */
export default function EventNoticeEmail({ headline, toolName, toolArgs, agentId, reason, dashboardUrl }: EventNoticeEmailProps) {
  return (
    <Html>
      <Head />
      <Preview>{headline}</Preview>
      <Body style={{ fontFamily: "system-ui, sans-serif", backgroundColor: "#f6f6f6" }}>
        <Container style={{ backgroundColor: "#ffffff", padding: "24px", maxWidth: "560px" }}>
          <Heading as="h2">{headline}</Heading>
          <Text>Agent <b>{agentId}</b>, tool <b>{toolName}</b>:</Text>
          <Section style={{ backgroundColor: "#f3f4f6", padding: "12px" }}>
            <pre style={{ fontFamily: "ui-monospace, Menlo, monospace", fontSize: "13px", margin: 0, whiteSpace: "pre-wrap" }}>{toolArgs}</pre>
          </Section>
          <Text>{reason}</Text>
          <Link href={dashboardUrl}>View the request in Ledgix</Link>
        </Container>
      </Body>
    </Html>
  );
}

EventNoticeEmail.PreviewProps = {
  headline: "Approved by a reviewer: stripe_refund",
  toolName: "stripe_refund",
  toolArgs: JSON.stringify({ amount: 450, currency: "USD" }, null, 2),
  agentId: "agent-refunds",
  reason: "Approved by a reviewer.",
  dashboardUrl: "http://localhost:3000/requests/req_example",
} satisfies EventNoticeEmailProps;
