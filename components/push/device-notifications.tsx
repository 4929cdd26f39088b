"use client";
import { BellOff, BellRing, Smartphone } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState, useSyncExternalStore, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, HelpText } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/time";
import { removePushSubscriptionAction, savePushSubscriptionAction } from "@/lib/push/actions";

export interface PushDevice {
  id: string;
  label: string;
  endpointHost: string;
  createdAt: Date;
  lastPushedAt: Date | null;
}

// Which of the listed devices this browser is: the id the server gave it, kept in this browser.
const DEVICE_KEY = "ledgix-push-device";
const listeners = new Set<() => void>();
const subscribeDevice = (listener: () => void) => (listeners.add(listener), () => void listeners.delete(listener));
const readDevice = () => localStorage.getItem(DEVICE_KEY);
function writeDevice(id: string | null) {
  if (id) localStorage.setItem(DEVICE_KEY, id);
  else localStorage.removeItem(DEVICE_KEY);
  listeners.forEach((l) => l());
}
const useThisDevice = () => useSyncExternalStore(subscribeDevice, readDevice, () => null);

type State = "checking" | "unsupported" | "blocked" | "off" | "on";

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

/** The browser's state: on only when it has a subscription and the server still lists this device. */
async function readState(devices: PushDevice[], thisDevice: string | null): Promise<State> {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager.getSubscription();
  return subscription && devices.some((d) => d.id === thisDevice) ? "on" : "off";
}

const STATE_TEXT: Record<State, string> = {
  checking: "Checking this browser…",
  unsupported: "This browser cannot receive push notifications. On an iPhone or iPad, add Ledgix to the Home Screen (Share → Add to Home Screen) and open it from there.",
  blocked: "Notifications are blocked for this site. Allow them in the browser's site settings, then come back.",
  off: "Get a notification on this device when a request waits for your review. Tapping it opens the request's review page.",
  on: "This device gets a notification when a request waits for your review.",
};

/** "Notifications on this device": ask for permission, subscribe with the VAPID key, register the device. */
export function DeviceNotificationsCard({ vapidPublicKey, devices }: { vapidPublicKey: string; devices: PushDevice[] }) {
  const router = useRouter();
  const thisDevice = useThisDevice();
  const [state, setState] = useState<State>("checking");
  const [error, setError] = useState<string>();
  const [pending, start] = useTransition();

  useEffect(() => {
    let live = true;
    void readState(devices, thisDevice).then((next) => live && setState(next));
    return () => { live = false; };
  }, [devices, thisDevice]);

  const enable = () => start(async () => {
    setError(undefined);
    try {
      if ((await Notification.requestPermission()) !== "granted") return setState(Notification.permission === "denied" ? "blocked" : "off");
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      const subscription = (await registration.pushManager.getSubscription())
        ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidPublicKey }));
      const saved = await savePushSubscriptionAction(subscription.toJSON());
      if (!saved.ok) return setError(saved.error);
      writeDevice(saved.id);
      router.refresh();
      // A first notification proves it works; the card does not wait for it.
      void registration.showNotification("Notifications are on", { body: "Ledgix will tell this device when a review needs you.", icon: "/icons/icon-192.png", tag: "ledgix-enabled" }).catch(() => undefined);
    } catch (failure) {
      setError(`This browser could not subscribe (${failure instanceof Error ? failure.message : String(failure)}). Try again, or use another browser.`);
    }
  });

  const disable = () => start(async () => {
    setError(undefined);
    const registration = await navigator.serviceWorker.getRegistration("/");
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
    if (thisDevice) {
      const removed = await removePushSubscriptionAction(thisDevice);
      if (!removed.ok && !/No such device/.test(removed.error)) return setError(removed.error);
    }
    writeDevice(null);
    router.refresh();
  });

  return (
    <Card data-testid="device-notifications">
      <CardHeader className="flex items-center gap-2">
        {state === "on" ? <BellRing className="size-4 text-emerald-600" /> : <BellOff className="size-4 text-zinc-500" />}
        <CardTitle>Notifications on this device</CardTitle>
        {state === "on" && <span className="ml-auto rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">On</span>}
      </CardHeader>
      <div className="space-y-3 p-4">
        <p className="text-sm" role="status">{STATE_TEXT[state]}</p>
        {state === "off" && <Button variant="accent" onClick={enable} disabled={pending}><BellRing />Turn on notifications</Button>}
        {state === "on" && <Button variant="outline" onClick={disable} disabled={pending}><BellOff />Turn off on this device</Button>}
        {error && <FieldError>{error}</FieldError>}
        <HelpText>A notification shows the tool, a short summary of its arguments and the deadline, on the lock screen too. The decision is made on the review page, never from the notification.</HelpText>
      </div>
    </Card>
  );
}

function RemoveDeviceButton({ device }: { device: PushDevice }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string>();
  const thisDevice = useThisDevice();
  const remove = () => {
    if (!confirm(`Remove ${device.label} (${device.endpointHost})? It will get no more review notifications.`)) return;
    start(async () => {
      const result = await removePushSubscriptionAction(device.id);
      if (!result.ok) return setError(result.error);
      if (device.id === thisDevice) writeDevice(null);
      router.refresh();
    });
  };
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button variant="ghost" size="sm" onClick={remove} disabled={pending} aria-label={`Remove ${device.label}`}>Remove</Button>
      {error && <FieldError>{error}</FieldError>}
    </span>
  );
}

/** The person's devices, this one marked; only they see this list. */
export function DeviceList({ devices }: { devices: PushDevice[] }) {
  const thisDevice = useThisDevice();
  return (
    <Card data-testid="device-list">
      <CardHeader><CardTitle>Your devices</CardTitle></CardHeader>
      {devices.length === 0 ? (
        <p className="p-4 text-sm text-zinc-500 dark:text-zinc-400">No device gets review notifications yet. Turn them on above, on each phone or computer you review from.</p>
      ) : (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {devices.map((device) => (
            <li key={device.id} className="flex items-center gap-3 px-4 py-3">
              <Smartphone className="size-4 shrink-0 text-zinc-500" />
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium">
                  {device.label}
                  {device.id === thisDevice && <span className="ml-2 rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-normal text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">This device</span>}
                </p>
                <p className="text-xs text-zinc-500 dark:text-zinc-400">
                  via {device.endpointHost} · added <RelativeTime date={device.createdAt} /> · {device.lastPushedAt ? <>last notified <RelativeTime date={device.lastPushedAt} /></> : "not notified yet"}
                </p>
              </div>
              <RemoveDeviceButton device={device} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
