"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { GrantSpec } from "@/lib/grants/grant-spec";

/** How long a vote waits, undoable, before it is sent. */
export const UNDO_MS = 5000;

/** A vote as the reviewer cast it, with everything it will be sent with. */
export interface HeldVote {
  requestId: string;
  toolName: string;
  approve: boolean;
  reason?: string;
  grant?: GrantSpec;
  /** Edit, then approve: the arguments as the reviewer typed them. */
  args?: string;
  seenArgsHash: string;
}

/** What the inbox remembers of a vote it did not send because the reviewer left during its undo window. */
export interface UnsentVote { requestId: string; toolName: string; approve: boolean }

const UNSENT_KEY = "ledgix.unsent-votes";

function takeUnsent(): UnsentVote[] {
  try {
    const stored = JSON.parse(localStorage.getItem(UNSENT_KEY) ?? "[]") as UnsentVote[];
    localStorage.removeItem(UNSENT_KEY);
    return Array.isArray(stored) ? stored : [];
  } catch {
    return [];
  }
}

function rememberUnsent({ requestId, toolName, approve }: HeldVote) {
  try {
    const stored = JSON.parse(localStorage.getItem(UNSENT_KEY) ?? "[]") as UnsentVote[];
    localStorage.setItem(UNSENT_KEY, JSON.stringify([...(Array.isArray(stored) ? stored : []), { requestId, toolName, approve }]));
  } catch {
    // Storage refused (private mode, quota): the vote is still not sent, only not announced.
  }
}

/**
 * Holds one vote for UNDO_MS before `send` sends it; `undo` takes it back. Holding a second vote
 * sends the first at once, as the reviewer has moved on from it.
 *
 * Leaving the inbox (another page, a reload, a closed tab) while a vote is held cancels it rather
 * than sending it: a request left undecided is denied at its deadline, which fails closed, while
 * a vote sent from a page being torn down may or may not reach the server. The cancelled vote is
 * remembered in localStorage and `unsent` reports it the next time the inbox opens.
 */
export function useUndoableVote(send: (vote: HeldVote) => void) {
  const [held, setHeld] = useState<{ vote: HeldVote; sendAt: number }>();
  const [now, setNow] = useState(0);
  const [unsent, setUnsent] = useState<UnsentVote[]>([]);
  const heldRef = useRef(held);
  const sendRef = useRef(send);
  useEffect(() => {
    heldRef.current = held;
    sendRef.current = send;
  });

  // One timer per held vote: it fires once, and is cleared if the vote is undone or replaced first.
  useEffect(() => {
    if (!held) return;
    const timer = setTimeout(() => { heldRef.current = undefined; setHeld(undefined); sendRef.current(held.vote); }, held.sendAt - Date.now());
    const tick = setInterval(() => setNow(Date.now()), 200);
    return () => { clearTimeout(timer); clearInterval(tick); };
  }, [held]);

  useEffect(() => {
    const leave = () => {
      if (heldRef.current) rememberUnsent(heldRef.current.vote);
      heldRef.current = undefined;
      setHeld(undefined);
    };
    const restore = () => { const taken = takeUnsent(); if (taken.length > 0) setUnsent(taken); };
    // Back from the back/forward cache, the page was not mounted again: read what pagehide kept.
    const back = (e: PageTransitionEvent) => { if (e.persisted) restore(); };
    queueMicrotask(restore);
    window.addEventListener("pagehide", leave);
    window.addEventListener("pageshow", back);
    return () => {
      window.removeEventListener("pagehide", leave);
      window.removeEventListener("pageshow", back);
      leave();
    };
  }, []);

  const hold = useCallback((vote: HeldVote) => {
    if (heldRef.current) sendRef.current(heldRef.current.vote);
    const at = Date.now();
    heldRef.current = { vote, sendAt: at + UNDO_MS };
    setNow(at);
    setHeld(heldRef.current);
  }, []);

  /** Takes back the held vote; returns it, or undefined when nothing was held. */
  const undo = useCallback(() => {
    const vote = heldRef.current?.vote;
    heldRef.current = undefined;
    setHeld(undefined);
    return vote;
  }, []);

  const secondsLeft = held ? Math.max(1, Math.ceil((held.sendAt - now) / 1000)) : 0;
  return { held: held?.vote, secondsLeft, fraction: held ? Math.max(0, Math.min(1, (held.sendAt - now) / UNDO_MS)) : 0, hold, undo, unsent, dismissUnsent: () => setUnsent([]) };
}
