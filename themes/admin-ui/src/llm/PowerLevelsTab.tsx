import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  Card,
  CardBody,
  Gallery,
  Modal,
  ModalVariant,
  PageSection,
  Skeleton,
  Split,
  SplitItem,
  Text,
  TextContent,
  Title,
  Tooltip,
} from "@patternfly/react-core";
import { PlusIcon } from "@patternfly/react-icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../i18n";
import { useLlmPage } from "./context";
import { useLoad } from "./hooks";
import { GatewayAccessCard } from "./levels/GatewayAccessCard";
import { LevelCard } from "./levels/LevelCard";
import { LevelFormModal } from "./levels/LevelFormModal";
import { RateLimitOverridesCard } from "./levels/RateLimitOverridesCard";
import { body, MAX_LEVELS } from "./levels/levels";
import "./levels/levels.css";
import type { PowerLevel, PowerLevels } from "./types";

/** What the form is open for: a new level, or the level at `index`. */
type Editing = { index: number; level?: PowerLevel };

/** The realm's power levels: a card each, lowest first; add, edit, delete, reorder, and the default level. */
export default function PowerLevelsTab() {
  return <LevelsPage />;
}

const LevelsPage = () => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, canManage } = useLlmPage();
  const levels = useLoad((signal) => api.powerLevels(signal), [api]);
  const assignments = useLoad((signal) => api.powerLevelAssignments(signal), [api]);
  const [editing, setEditing] = useState<Editing>();
  const [deleting, setDeleting] = useState<PowerLevel>();
  const [busy, setBusy] = useState(false);

  const current = levels.value;

  /** One PUT of the whole list, then both loads again; rejects with the API's error after the alert. */
  const replace = async (next: PowerLevels, success: string) => {
    setBusy(true);
    try {
      await api.replacePowerLevels(body(next.levels, next.default));
      addAlert(success, AlertVariant.success);
    } catch (error) {
      addAlert(t("llmLevelsSaveFailed"), AlertVariant.danger, (error as Error).message);
      throw error;
    } finally {
      setBusy(false);
      levels.reload();
      assignments.reload();
    }
  };

  /** For the buttons on the cards: the alert already told the admin what went wrong. */
  const quietly = (p: Promise<void>) => p.catch(() => undefined);

  if (!current) {
    return (
      <PageSection>
        {levels.error ? (
          <Alert
            variant="danger"
            isInline
            title={t("llmLevelsLoadFailed")}
            actionLinks={<AlertActionLink onClick={levels.reload}>{t("llmLevelRetry")}</AlertActionLink>}
            data-testid="llm-levels-error"
          >
            {levels.error.message}
          </Alert>
        ) : (
          <Gallery hasGutter minWidths={{ default: "100%", md: "320px" }}>
            {[0, 1, 2].map((i) => (
              <Card key={i} isFullHeight>
                <CardBody>
                  <Skeleton width="40%" screenreaderText={t("llmLoading")} />
                  <br />
                  <Skeleton width="90%" />
                  <br />
                  <Skeleton width="70%" />
                  <br />
                  <Skeleton width="60%" />
                </CardBody>
              </Card>
            ))}
          </Gallery>
        )}
      </PageSection>
    );
  }

  const list = current.levels;
  const save = async (level: PowerLevel, makeDefault: boolean) => {
    if (!editing) return;
    const adding = editing.level === undefined;
    const next = adding ? [...list, level] : list.map((l, i) => (i === editing.index ? level : l));
    // The id is fixed while editing, so the default keeps pointing at the same level.
    await replace(
      { levels: next, default: makeDefault ? level.id : current.default },
      adding ? t("llmLevelAdded", { name: level.name }) : t("llmLevelSaved", { name: level.name }),
    );
    setEditing(undefined);
  };

  const remove = async (level: PowerLevel) => {
    await quietly(
      replace(
        { levels: list.filter((l) => l.id !== level.id), default: current.default },
        t("llmLevelDeleted", { name: level.name }),
      ),
    );
    setDeleting(undefined);
  };

  const move = (index: number, by: -1 | 1) => {
    const next = [...list];
    const [level] = next.splice(index, 1);
    next.splice(index + by, 0, level);
    void quietly(replace({ levels: next, default: current.default }, t("llmLevelMoved", { name: level.name })));
  };

  const deletingAssigned = deleting && assignments.value?.levels[deleting.id];

  return (
    <PageSection>
      <Split hasGutter className="llm-levels__head">
        <SplitItem isFilled>
          <TextContent>
            <Title headingLevel="h2">{t("llmLevelsTitle")}</Title>
            <Text component="small">{t("llmLevelsIntro")}</Text>
          </TextContent>
        </SplitItem>
        {canManage && (
          <SplitItem>
            {list.length >= MAX_LEVELS ? (
              <Tooltip content={t("llmLevelsMax", { max: MAX_LEVELS })}>
                <Button icon={<PlusIcon />} isAriaDisabled data-testid="llm-level-add">
                  {t("llmLevelAdd")}
                </Button>
              </Tooltip>
            ) : (
              <Button
                icon={<PlusIcon />}
                onClick={() => setEditing({ index: list.length })}
                isDisabled={busy}
                data-testid="llm-level-add"
              >
                {t("llmLevelAdd")}
              </Button>
            )}
          </SplitItem>
        )}
      </Split>
      {levels.error && (
        <Alert
          variant="warning"
          isInline
          isPlain
          title={t("llmLevelsReloadFailed")}
          actionLinks={<AlertActionLink onClick={levels.reload}>{t("llmLevelRetry")}</AlertActionLink>}
          className="llm-levels__alert"
          data-testid="llm-levels-reload-error"
        >
          {levels.error.message}
        </Alert>
      )}
      {assignments.error && (
        <Alert
          variant="warning"
          isInline
          isPlain
          title={t("llmLevelsAssignmentsFailed")}
          actionLinks={<AlertActionLink onClick={assignments.reload}>{t("llmLevelRetry")}</AlertActionLink>}
          className="llm-levels__alert"
          data-testid="llm-levels-assignments-error"
        >
          {assignments.error.message}
        </Alert>
      )}
      <Gallery hasGutter minWidths={{ default: "100%", md: "320px" }} data-testid="llm-levels">
        {list.map((level, index) => (
          <LevelCard
            key={level.id}
            level={level}
            position={index}
            count={list.length}
            isDefault={level.id === current.default}
            assigned={assignments.value?.levels[level.id]}
            assignedLoading={assignments.loading}
            actions={
              canManage
                ? {
                    busy,
                    onEdit: () => setEditing({ index, level }),
                    onDelete: () => setDeleting(level),
                    onMakeDefault: () =>
                      void quietly(
                        replace({ levels: list, default: level.id }, t("llmLevelMadeDefault", { name: level.name })),
                      ),
                    onMove: (by) => move(index, by),
                  }
                : undefined
            }
          />
        ))}
      </Gallery>
      <div className="llm-levels__access">
        <RateLimitOverridesCard />
      </div>
      <div className="llm-levels__access">
        <GatewayAccessCard />
      </div>
      {editing && (
        <LevelFormModal
          level={editing.level}
          index={editing.index}
          isDefault={editing.level !== undefined && editing.level.id === current.default}
          otherIds={list.filter((_, i) => i !== editing.index).map((l) => l.id)}
          onSave={save}
          onClose={() => setEditing(undefined)}
        />
      )}
      {deleting && (
        <Modal
          variant={ModalVariant.small}
          titleIconVariant="warning"
          title={t("llmLevelDeleteTitle", { name: deleting.name })}
          isOpen
          onClose={() => setDeleting(undefined)}
          data-testid="llm-level-delete-modal"
          actions={[
            <Button
              key="confirm"
              variant="danger"
              onClick={() => void remove(deleting)}
              isLoading={busy}
              isDisabled={busy}
              data-testid="llm-level-delete-confirm"
            >
              {t("llmLevelDelete")}
            </Button>,
            <Button
              key="cancel"
              variant="link"
              onClick={() => setDeleting(undefined)}
              data-testid="llm-level-delete-cancel"
            >
              {t("llmLevelCancel")}
            </Button>,
          ]}
        >
          {t("llmLevelDeleteBody", {
            name: deleting.name,
            defaultName: list.find((l) => l.id === current.default)?.name ?? current.default,
          })}
          {deletingAssigned && deletingAssigned.users + deletingAssigned.groups > 0 && (
            <Alert
              variant="warning"
              isInline
              isPlain
              title={t("llmLevelDeleteAssigned", {
                users: t("llmLevelUserCount", { count: deletingAssigned.users }),
                groups: t("llmLevelGroupCount", { count: deletingAssigned.groups }),
              })}
              className="llm-levels__alert"
              data-testid="llm-level-delete-assigned"
            />
          )}
        </Modal>
      )}
    </PageSection>
  );
};
