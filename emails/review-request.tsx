import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Section, Text } from "@react-email/components";

export interface ReviewRequestEmailProps {
  toolName: string;
  /** The exact arguments, as pretty-printed JSON. */
  toolArgs: string;
  agentId: string;
  /** Why the policy sent it to a person. */
  explanation: string;
  deadline: string;
  /** This reviewer's own link; it works once. */
  reviewUrl: string;
}

const mono = { fontFamily: "ui-monospace, Menlo, monospace", fontSize: "13px" };

/** To one reviewer: a request waits for a decision, with their personal link. */
export default function ReviewRequestEmail({ toolName, toolArgs, agentId, explanation, deadline, reviewUrl }: ReviewRequestEmailProps) {
  return (
    <Html>
      <Head />
      <Preview>{`${agentId} asks to run ${toolName}: approve or deny before ${deadline}`}</Preview>
      <Body style={{ fontFamily: "system-ui, sans-serif", backgroundColor: "#f6f6f6" }}>
        <Container style={{ backgroundColor: "#ffffff", padding: "24px", maxWidth: "560px" }}>
          <Heading as="h2">Review needed: {toolName}</Heading>
          <Text>Agent <b>{agentId}</b> asks to run <b>{toolName}</b> with these arguments:</Text>
          <Section style={{ backgroundColor: "#f3f4f6", padding: "12px" }}>
            <pre style={{ ...mono, margin: 0, whiteSpace: "pre-wrap" }}>{toolArgs}</pre>
          </Section>
          <Text><b>Why it needs you:</b> {explanation}</Text>
          <Text><b>Decide before:</b> {deadline}. After that the request is denied as expired.</Text>
          <Button href={reviewUrl} style={{ backgroundColor: "#111827", color: "#ffffff", padding: "10px 16px", borderRadius: "6px" }}>
            Open the request
          </Button>
          <Hr />
          <Text style={{ color: "#6b7280", fontSize: "12px" }}>
            This link is yours alone and works once. Opening it decides nothing: you choose Approve or Deny on the page.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

ReviewRequestEmail.PreviewProps = {
  toolName: "stripe_refund",
  toolArgs: JSON.stringify({ amount: 450, currency: "USD" }, null, 2),
  agentId: "agent-refunds",
  explanation: "Refunds above 200 USD need a person (rule large-refunds).",
  deadline: "30 Nov 2026, 10:15 UTC",
  reviewUrl: "http://localhost:3000/review/example-token",
} satisfies ReviewRequestEmailProps;
