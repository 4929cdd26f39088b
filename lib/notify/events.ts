/** The events a tenant can be told about, and what each means. */
export const NOTIFICATION_EVENTS = {
  review_requested: "A request waits for a person",
  review_decided: "A person approved or denied a request",
  request_denied: "A policy denied a request",
} as const;
export type NotificationEvent = keyof typeof NOTIFICATION_EVENTS;
export const isNotificationEvent = (value: string): value is NotificationEvent => Object.hasOwn(NOTIFICATION_EVENTS, value);
