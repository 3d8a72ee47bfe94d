import {
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  DataList,
  DataListAction,
  DataListCell,
  DataListControl,
  DataListDragButton,
  DataListItem,
  DataListItemCells,
  DataListItemRow,
  EmptyState,
  EmptyStateBody,
  EmptyStateHeader,
  EmptyStateIcon,
  Label,
  Skeleton,
  Spinner,
  Switch,
  Text,
  TextContent,
  Title,
  Tooltip,
} from "@patternfly/react-core";
import { AngleDownIcon, AngleUpIcon, CubesIcon } from "@patternfly/react-icons";
import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type ReactNode,
} from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { useLlmPage } from "../context";
import type { Provider } from "../types";
import { chainOrder, move, planPriorities } from "./priorities";

type Control = "up" | "down" | "handle";

/** Where a dragged row would land: the position it would be inserted before (0..n). */
type DropTarget = { index: number };

/**
 * The realm's providers in the order the gateway tries them at equal rank (priority, highest first). Admins who may
 * manage the realm reorder them by dragging a row's handle, by keyboard on the handle (Space picks up, arrows move,
 * Space drops, Escape cancels) or with Move up / Move down; the order is saved as priorities.
 */
export const FallbackChain = () => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, providers, canManage } = useLlmPage();

  const chain = useMemo(() => chainOrder(providers.value ?? []), [providers.value]);
  // The order being saved, shown until the providers are loaded again.
  const [saving, setSaving] = useState<string[]>();
  // A keyboard reorder under way: the provider picked up and the order it would give.
  const [grab, setGrab] = useState<{ id: string; order: string[] }>();
  // A mouse drag under way: the provider dragged (armed on the handle) and where it would land.
  const [armed, setArmed] = useState<string>();
  const [dragging, setDragging] = useState<string>();
  const [drop, setDrop] = useState<DropTarget>();
  // Auto-fallback switches being saved: provider id → the value being saved.
  const [fallbackSaving, setFallbackSaving] = useState<Record<string, boolean>>({});
  const [announcement, setAnnouncement] = useState("");
  // The control to focus once the list has been drawn again (after a move).
  const focusAfter = useRef<{ id: string; control: Control }>();
  const listRef = useRef<HTMLDivElement>(null);

  // New providers from the server end any save in progress.
  useEffect(() => setSaving(undefined), [providers.value]);

  const byId = useMemo(() => new Map(chain.map((p) => [p.id, p])), [chain]);
  const shownIds = grab?.order ?? saving ?? chain.map((p) => p.id);
  const shown = shownIds.map((id) => byId.get(id)).filter((p): p is Provider => p !== undefined);
  const busy = saving !== undefined;

  // A press on a handle that ends anywhere without a drag disarms the row again.
  useEffect(() => {
    if (!armed || dragging) return;
    const disarm = () => setArmed(undefined);
    window.addEventListener("mouseup", disarm);
    window.addEventListener("touchend", disarm);
    return () => {
      window.removeEventListener("mouseup", disarm);
      window.removeEventListener("touchend", disarm);
    };
  }, [armed, dragging]);

  // After a move the row is drawn elsewhere: focus goes back to the control used (or its neighbour at either end).
  useLayoutEffect(() => {
    const target = focusAfter.current;
    const list = listRef.current;
    if (!target || !list) return;
    const row = list.querySelector<HTMLElement>(`[data-testid="llm-chain-row-${CSS.escape(target.id)}"]`);
    if (!row) return;
    const position = Number(row.dataset.position);
    const count = list.querySelectorAll("[data-position]").length;
    let control = target.control;
    if (control === "up" && position === 1) control = "down";
    else if (control === "down" && position === count) control = "up";
    row.querySelector<HTMLElement>(`[data-llm-control="${control}"]`)?.focus();
    focusAfter.current = undefined;
  });

  const save = async (order: string[], moved: string) => {
    const current = chain;
    if (order.join("\n") === current.map((p) => p.id).join("\n")) return;
    const wanted = order.map((id) => byId.get(id)!);
    const changes = planPriorities(wanted, current, moved);
    if (!changes) {
      addAlert(t("llmRouteOrderFailed"), AlertVariant.danger, t("llmRouteOrderImpossible"));
      return;
    }
    setSaving(order);
    try {
      // From the top down, so a failure part way leaves the top of the chain as wanted.
      for (const p of wanted) {
        const priority = changes.get(p.id);
        if (priority !== undefined) await api.updateProvider(p.id, { priority });
      }
      addAlert(t("llmRouteOrderSaved"), AlertVariant.success);
    } catch (error) {
      addAlert(t("llmRouteOrderFailed"), AlertVariant.danger, (error as Error).message);
      setSaving(undefined);
    } finally {
      providers.reload();
    }
  };

  const moveBy = (id: string, delta: number, control: Control) => {
    const ids = chain.map((p) => p.id);
    const from = ids.indexOf(id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= ids.length || busy) return;
    focusAfter.current = { id, control };
    const name = byId.get(id)?.name ?? id;
    setAnnouncement(t("llmRouteDragMoved", { name, position: to + 1 }));
    void save(move(ids, from, to), id);
  };

  const setAutoFallback = async (p: Provider, autoFallback: boolean) => {
    setFallbackSaving((s) => ({ ...s, [p.id]: autoFallback }));
    try {
      await api.updateProvider(p.id, { autoFallback });
      addAlert(
        t(autoFallback ? "llmRouteAutoFallbackEnabled" : "llmRouteAutoFallbackDisabled", { name: p.name }),
        AlertVariant.success,
      );
    } catch (error) {
      addAlert(t("llmRouteAutoFallbackFailed", { name: p.name }), AlertVariant.danger, (error as Error).message);
    } finally {
      providers.reload();
      setFallbackSaving((s) => {
        const { [p.id]: _done, ...rest } = s;
        void _done;
        return rest;
      });
    }
  };

  // Keyboard reordering on the drag handle.
  const onHandleKeyDown = (event: KeyboardEvent<HTMLButtonElement>, p: Provider) => {
    const ids = chain.map((x) => x.id);
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (busy) return;
      if (!grab) {
        setGrab({ id: p.id, order: ids });
        setAnnouncement(t("llmRouteDragGrabbed", { name: p.name, position: ids.indexOf(p.id) + 1 }));
      } else {
        const order = grab.order;
        setGrab(undefined);
        focusAfter.current = { id: grab.id, control: "handle" };
        setAnnouncement(t("llmRouteDragDropped", { name: p.name, position: order.indexOf(grab.id) + 1 }));
        void save(order, grab.id);
      }
    } else if (grab && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      const from = grab.order.indexOf(grab.id);
      const to = from + (event.key === "ArrowUp" ? -1 : 1);
      if (to < 0 || to >= grab.order.length) return;
      focusAfter.current = { id: grab.id, control: "handle" };
      setGrab({ id: grab.id, order: move(grab.order, from, to) });
      setAnnouncement(t("llmRouteDragMoved", { name: p.name, position: to + 1 }));
    } else if (grab && (event.key === "Escape" || event.key === "Tab")) {
      if (event.key === "Escape") event.preventDefault();
      cancelGrab();
    }
  };

  // Moving a row in the DOM may take the focus from its handle for a moment: only a real move away cancels.
  const cancelGrabUnlessFocused = (id: string) =>
    window.setTimeout(() => {
      const focused = document.activeElement;
      const stays =
        focused instanceof HTMLElement &&
        focused.dataset.llmControl === "handle" &&
        focused.closest("li")?.getAttribute("data-testid") === `llm-chain-row-${id}`;
      if (!stays) setGrab((g) => (g?.id === id ? undefined : g));
    }, 0);

  const cancelGrab = () => {
    if (!grab) return;
    const p = byId.get(grab.id);
    focusAfter.current = { id: grab.id, control: "handle" };
    setGrab(undefined);
    setAnnouncement(
      t("llmRouteDragCancelled", { name: p?.name ?? grab.id, position: chain.findIndex((x) => x.id === grab.id) + 1 }),
    );
  };

  // Mouse (HTML5) drag and drop: the row becomes draggable while the pointer is down on its handle.
  const onDragStart = (event: DragEvent<HTMLLIElement>, p: Provider) => {
    if (armed !== p.id || busy) {
      event.preventDefault();
      return;
    }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", p.id);
    setDragging(p.id);
  };

  const onDragOver = (event: DragEvent<HTMLLIElement>, index: number) => {
    if (!dragging) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const box = event.currentTarget.getBoundingClientRect();
    const target = event.clientY < box.top + box.height / 2 ? index : index + 1;
    if (drop?.index !== target) setDrop({ index: target });
  };

  const endDrag = () => {
    setArmed(undefined);
    setDragging(undefined);
    setDrop(undefined);
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    const id = dragging;
    const target = drop?.index;
    endDrag();
    if (!id || target === undefined) return;
    const ids = chain.map((p) => p.id);
    const from = ids.indexOf(id);
    const to = target > from ? target - 1 : target;
    if (from < 0 || to === from) return;
    setAnnouncement(t("llmRouteDragDropped", { name: byId.get(id)?.name ?? id, position: to + 1 }));
    void save(move(ids, from, to), id);
  };

  // A drop line is shown only where a drop would change the order.
  const dragFrom = dragging ? shownIds.indexOf(dragging) : -1;
  const dropShown = drop && dragFrom >= 0 && drop.index !== dragFrom && drop.index !== dragFrom + 1 ? drop : undefined;

  let body: ReactNode;
  if (providers.error && !providers.value) {
    body = (
      <Alert
        variant="danger"
        isInline
        title={t("llmRouteChainFailed")}
        actionLinks={<AlertActionLink onClick={providers.reload}>{t("llmRouteRetry")}</AlertActionLink>}
        data-testid="llm-chain-error"
      >
        {providers.error.message}
      </Alert>
    );
  } else if (!providers.value) {
    body = (
      <div className="llm-route-skeletons">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} height="3rem" screenreaderText={i === 0 ? t("llmLoading") : undefined} />
        ))}
      </div>
    );
  } else if (shown.length === 0) {
    body = (
      <EmptyState variant="sm" data-testid="llm-chain-empty">
        <EmptyStateHeader
          titleText={t("llmRouteChainEmptyTitle")}
          headingLevel="h3"
          icon={<EmptyStateIcon icon={CubesIcon} />}
        />
        <EmptyStateBody>{t(canManage ? "llmRouteChainEmpty" : "llmRouteChainEmptyReadOnly")}</EmptyStateBody>
      </EmptyState>
    );
  } else {
    body = (
      <div ref={listRef}>
        <DataList
          aria-label={t("llmRouteChainList")}
          isCompact
          className={`llm-chain${dragging ? " llm-chain--dragging" : ""}`}
          data-testid="llm-chain"
          onDragOver={(e) => dragging && e.preventDefault()}
          onDrop={onDrop}
        >
          {shown.map((p, index) => {
            const position = index + 1;
            const last = index === shown.length - 1;
            const grabbed = grab?.id === p.id;
            const dropClass = !dropShown
              ? ""
              : dropShown.index === index
                ? " llm-chain-row--drop-above"
                : dropShown.index === index + 1 && last
                  ? " llm-chain-row--drop-below"
                  : "";
            const autoFallback = fallbackSaving[p.id] ?? p.auto_fallback;
            return (
              <DataListItem
                key={p.id}
                aria-labelledby={`llm-chain-name-${p.id}`}
                className={`llm-chain-row${dragging === p.id ? " pf-m-ghost-row" : ""}${grabbed ? " llm-chain-row--grabbed" : ""}${dropClass}`}
                data-testid={`llm-chain-row-${p.id}`}
                data-position={position}
                draggable={canManage && armed === p.id}
                onDragStart={(e: DragEvent<HTMLLIElement>) => onDragStart(e, p)}
                onDragOver={(e: DragEvent<HTMLLIElement>) => onDragOver(e, index)}
                onDragEnd={endDrag}
              >
                <DataListItemRow>
                  {canManage && (
                    <DataListControl>
                      <DataListDragButton
                        aria-label={t("llmRouteDragHandle", { name: p.name })}
                        aria-pressed={grabbed}
                        aria-disabled={busy}
                        data-testid="llm-chain-handle"
                        data-llm-control="handle"
                        className="llm-chain-handle"
                        onMouseDown={() => !busy && setArmed(p.id)}
                        onTouchStart={() => !busy && setArmed(p.id)}
                        onKeyDown={(e: KeyboardEvent<HTMLButtonElement>) => onHandleKeyDown(e, p)}
                        onBlur={() => grabbed && cancelGrabUnlessFocused(p.id)}
                      />
                    </DataListControl>
                  )}
                  <DataListItemCells
                    dataListCells={[
                      <DataListCell key="provider" className="llm-chain-cell">
                        <span className="llm-chain-position" data-testid="llm-chain-position">
                          <span className="pf-v5-screen-reader">{t("llmRoutePosition", { position })}</span>
                          <span aria-hidden>{position}</span>
                        </span>
                        <span className="llm-chain-swatch" style={{ background: p.color }} aria-hidden />
                        <span className="llm-chain-name">
                          <span
                            id={`llm-chain-name-${p.id}`}
                            className="llm-chain-name__text"
                            data-testid="llm-chain-name"
                          >
                            {p.name}
                          </span>
                          <span className="llm-chain-type">{p.type_name || p.type}</span>
                        </span>
                      </DataListCell>,
                      <DataListCell key="facts" className="llm-chain-cell llm-chain-facts">
                        <Label isCompact variant="outline" data-testid="llm-chain-priority">
                          {t("llmRoutePriority", { priority: p.priority })}
                        </Label>
                        <StatusLabel provider={p} />
                        {canManage ? (
                          <Switch
                            id={`llm-chain-fallback-${p.id}`}
                            label={t("llmRouteAutoFallback")}
                            isChecked={autoFallback}
                            isDisabled={p.id in fallbackSaving}
                            onChange={(_e, checked) => void setAutoFallback(p, checked)}
                            isReversed
                            data-testid="llm-chain-autofallback"
                          />
                        ) : (
                          <Label
                            isCompact
                            color={p.auto_fallback ? "blue" : "grey"}
                            data-testid="llm-chain-autofallback"
                          >
                            {t(p.auto_fallback ? "llmRouteAutoFallbackOn" : "llmRouteAutoFallbackOff")}
                          </Label>
                        )}
                      </DataListCell>,
                    ]}
                  />
                  {canManage && (
                    <DataListAction
                      id={`llm-chain-actions-${p.id}`}
                      aria-labelledby={`llm-chain-name-${p.id} llm-chain-actions-${p.id}`}
                      aria-label={t("llmRouteReorder")}
                      className="llm-chain-actions"
                    >
                      <Button
                        variant="plain"
                        icon={<AngleUpIcon />}
                        aria-label={t("llmRouteMoveUpLabel", { name: p.name })}
                        title={t("llmRouteMoveUp")}
                        isAriaDisabled={busy || !!grab || index === 0}
                        onClick={() => moveBy(p.id, -1, "up")}
                        data-testid="llm-chain-move-up"
                        data-llm-control="up"
                      />
                      <Button
                        variant="plain"
                        icon={<AngleDownIcon />}
                        aria-label={t("llmRouteMoveDownLabel", { name: p.name })}
                        title={t("llmRouteMoveDown")}
                        isAriaDisabled={busy || !!grab || last}
                        onClick={() => moveBy(p.id, 1, "down")}
                        data-testid="llm-chain-move-down"
                        data-llm-control="down"
                      />
                    </DataListAction>
                  )}
                </DataListItemRow>
              </DataListItem>
            );
          })}
        </DataList>
      </div>
    );
  }

  return (
    <section className="llm-route-section" aria-labelledby="llm-route-chain-title">
      <TextContent className="llm-route-section__intro">
        <Title headingLevel="h2" size="xl" id="llm-route-chain-title">
          {t("llmRouteChainTitle")}
          {busy && <Spinner size="md" className="llm-route-title-spinner" aria-label={t("llmRouteSaving")} />}
        </Title>
        <Text data-testid="llm-chain-help">{t("llmRouteChainHelp")}</Text>
        {canManage && <Text component="small">{t("llmRouteChainReorderHint")}</Text>}
      </TextContent>
      {providers.error && providers.value && (
        <Alert
          variant="warning"
          isInline
          isPlain
          title={t("llmRouteChainStale")}
          actionLinks={<AlertActionLink onClick={providers.reload}>{t("llmRouteRetry")}</AlertActionLink>}
          className="llm-route-stale"
        >
          {providers.error.message}
        </Alert>
      )}
      {body}
      <div className="pf-v5-screen-reader" aria-live="assertive" data-testid="llm-chain-announcement">
        {announcement}
      </div>
    </section>
  );
};

const StatusLabel = ({ provider }: { provider: Provider }) => {
  const { t } = useTranslation(LLM_NS);
  const status = provider.enabled ? provider.status : "disabled";
  const label =
    status === "active" ? (
      <Label isCompact color="green" data-testid="llm-chain-status">
        {t("llmRouteStatusActive")}
      </Label>
    ) : status === "error" ? (
      <Label isCompact color="red" data-testid="llm-chain-status">
        {t("llmRouteStatusError")}
      </Label>
    ) : (
      <Label isCompact color="grey" data-testid="llm-chain-status">
        {status === "disabled" ? t("llmRouteStatusDisabled") : status}
      </Label>
    );
  if (status === "active") return label;
  const why = status === "error" && provider.last_error ? `${provider.last_error} — ` : "";
  return (
    <Tooltip content={`${why}${t("llmRouteStatusSkipped")}`}>
      <span tabIndex={0} className="llm-chain-status">
        {label}
      </span>
    </Tooltip>
  );
};
