import { useAdminClient, useRealm } from "@keycloak/keycloak-admin-ui";
import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  DataList,
  DataListCell,
  DataListItem,
  DataListItemCells,
  DataListItemRow,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Modal,
  ModalVariant,
  Skeleton,
  Text,
  TextContent,
  TextInput,
  Title,
} from "@patternfly/react-core";
import { PencilAltIcon, PlusIcon, TimesIcon } from "@patternfly/react-icons";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { useLlmPage } from "../context";
import { useLoad } from "../hooks";
import { LimitFields } from "../limits/LimitFields";
import {
  describeLimits,
  EMPTY_LIMITS,
  fromLimitsDraft,
  hasLimits,
  limitKindOf,
  limitsDraft,
  limitsErrors,
  type LimitKind,
  type LimitsDraft,
} from "../limits/limits";
import type { RateLimits, RateLimitScope } from "../types";

type Kind = "client" | "user";

/** What the editor is open for: a new override (no `id`), or the client's or user's listed one. */
type Target = { kind: Kind; id?: string; name?: string; limits?: RateLimits };

/**
 * The clients and users with rate limits of their own (GET /limits), each replacing, kind by kind, the limits of the
 * caller's level; a manage-realm admin adds, changes and clears them. Users are named only to admins with view-users
 * (as elsewhere on the page), who also find a user by username here; the user's attributes in Keycloak's user form
 * are the other way.
 */
export const RateLimitOverridesCard = () => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, canManage, canViewUsers } = useLlmPage();
  const { realm } = useRealm();
  const overview = useLoad((signal) => api.rateLimits(signal), [api]);
  const [editing, setEditing] = useState<Target>();
  const [clearing, setClearing] = useState<string>();

  const clear = async (kind: Kind, scope: RateLimitScope, label: string) => {
    setClearing(`${kind}:${scope.id}`);
    try {
      await (kind === "client" ? api.updateClientLimits(scope.id, {}) : api.updateUserLimits(scope.id, {}));
      addAlert(t("llmOverrideCleared", { name: label }), AlertVariant.success);
    } catch (error) {
      addAlert(t("llmOverrideSaveFailed"), AlertVariant.danger, (error as Error).message);
    } finally {
      setClearing(undefined);
      overview.reload();
    }
  };

  const row = (kind: Kind, scope: RateLimitScope) => {
    const label = scope.name && kind === "user" ? scope.name : scope.id;
    const name =
      kind === "user" && canViewUsers ? (
        <Link to={`/${encodeURIComponent(realm)}/users/${encodeURIComponent(scope.id)}/settings`}>{label}</Link>
      ) : (
        <code>{label}</code>
      );
    return (
      <DataListItem key={`${kind}:${scope.id}`} data-testid={`llm-override-${kind}-${label}`}>
        <DataListItemRow>
          <DataListItemCells
            dataListCells={[
              <DataListCell key="name" width={2} data-testid="llm-override-name">
                {name}
                {kind === "client" && scope.name && <div className="llm-overrides__sub">{scope.name}</div>}
              </DataListCell>,
              <DataListCell key="limits" width={3} data-testid="llm-override-limits">
                {describeLimits(t, scope.limits) ?? t("llmLimitsNone")}
              </DataListCell>,
              ...(canManage
                ? [
                    <DataListCell key="actions" width={1} alignRight>
                      <Button
                        variant="plain"
                        size="sm"
                        aria-label={t("llmOverrideEdit", { name: label })}
                        onClick={() => setEditing({ kind, id: scope.id, name: label, limits: scope.limits })}
                        data-testid="llm-override-edit"
                      >
                        <PencilAltIcon />
                      </Button>
                      <Button
                        variant="plain"
                        size="sm"
                        aria-label={t("llmOverrideClear", { name: label })}
                        onClick={() => void clear(kind, scope, label)}
                        isLoading={clearing === `${kind}:${scope.id}` ? true : undefined}
                        isDisabled={clearing !== undefined}
                        data-testid="llm-override-clear"
                      >
                        <TimesIcon />
                      </Button>
                    </DataListCell>,
                  ]
                : []),
            ]}
          />
        </DataListItemRow>
      </DataListItem>
    );
  };

  const list = (kind: Kind, scopes: RateLimitScope[]) => (
    <section className="llm-overrides__list">
      <Title headingLevel="h4" size="md">
        {kind === "client" ? t("llmOverrideClients") : t("llmOverrideUsers")}
      </Title>
      {scopes.length === 0 ? (
        <Text component="small" className="llm-overrides__empty" data-testid={`llm-override-${kind}s-none`}>
          {kind === "client" ? t("llmOverrideNoClients") : t("llmOverrideNoUsers")}
        </Text>
      ) : (
        <DataList
          aria-label={kind === "client" ? t("llmOverrideClients") : t("llmOverrideUsers")}
          isCompact
          data-testid={`llm-override-${kind}s`}
        >
          {scopes.map((s) => row(kind, s))}
        </DataList>
      )}
    </section>
  );

  return (
    <Card data-testid="llm-overrides">
      <CardHeader
        actions={
          canManage
            ? {
                actions: (
                  <Flex spaceItems={{ default: "spaceItemsSm" }}>
                    <FlexItem>
                      <Button
                        variant="secondary"
                        size="sm"
                        icon={<PlusIcon />}
                        onClick={() => setEditing({ kind: "client" })}
                        data-testid="llm-override-add-client"
                      >
                        {t("llmOverrideAddClient")}
                      </Button>
                    </FlexItem>
                    {canViewUsers && (
                      <FlexItem>
                        <Button
                          variant="secondary"
                          size="sm"
                          icon={<PlusIcon />}
                          onClick={() => setEditing({ kind: "user" })}
                          data-testid="llm-override-add-user"
                        >
                          {t("llmOverrideAddUser")}
                        </Button>
                      </FlexItem>
                    )}
                  </Flex>
                ),
                hasNoOffset: true,
              }
            : undefined
        }
      >
        <CardTitle>{t("llmOverridesTitle")}</CardTitle>
        <TextContent>
          <Text component="small">{t("llmOverridesDescription")}</Text>
        </TextContent>
      </CardHeader>
      <CardBody>
        {overview.error && (
          <Alert
            variant={overview.value ? "warning" : "danger"}
            isInline
            isPlain={!!overview.value}
            title={t("llmOverridesFailed")}
            actionLinks={<AlertActionLink onClick={overview.reload}>{t("llmLevelRetry")}</AlertActionLink>}
            className="llm-levels__alert"
            data-testid="llm-overrides-error"
          >
            {overview.error.message}
          </Alert>
        )}
        {overview.value ? (
          <>
            {list("client", overview.value.clients)}
            {canViewUsers ? (
              list("user", overview.value.users ?? [])
            ) : (
              <section className="llm-overrides__list">
                <Title headingLevel="h4" size="md">
                  {t("llmOverrideUsers")}
                </Title>
                <Text component="small" className="llm-overrides__empty" data-testid="llm-override-users-hidden">
                  {t("llmOverrideUsersHidden", {
                    count: overview.value.users_hidden ?? overview.value.users?.length ?? 0,
                  })}
                </Text>
              </section>
            )}
          </>
        ) : (
          !overview.error && <Skeleton width="60%" screenreaderText={t("llmLoading")} />
        )}
      </CardBody>
      {editing && (
        <OverrideModal
          target={editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            overview.reload();
          }}
        />
      )}
    </Card>
  );
};

/** Sets the limits of one client (by clientId) or user (by username); empty fields have no limit of their own. */
const OverrideModal = ({ target, onClose, onSaved }: { target: Target; onClose: () => void; onSaved: () => void }) => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api } = useLlmPage();
  const { adminClient } = useAdminClient();
  const { realm } = useRealm();
  const adding = target.id === undefined;
  const [who, setWho] = useState("");
  const [draft, setDraft] = useState<LimitsDraft>(adding ? EMPTY_LIMITS : limitsDraft(target.limits));
  const [whoError, setWhoError] = useState<string>();
  const [errors, setErrors] = useState<Partial<Record<LimitKind, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const set = (kind: LimitKind, value: string) => {
    setDraft((d) => ({ ...d, [kind]: value }));
    setErrors((e) => ({ ...e, [kind]: undefined }));
  };

  /** The user's id for a username typed here, or undefined after saying why not under the field. */
  const userId = async (username: string): Promise<string | undefined> => {
    const found = await adminClient.users.find({ realm, username, exact: true, briefRepresentation: true });
    const user = found.find((u) => u.username?.toLowerCase() === username.toLowerCase());
    if (!user?.id) setWhoError(t("llmOverrideNoSuchUser", { name: username }));
    return user?.id;
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setFormError(undefined);
    const local = limitsErrors(draft);
    setErrors(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, t(v!)])));
    const name = who.trim();
    if (adding && !name) {
      setWhoError(target.kind === "client" ? t("llmOverrideClientRequired") : t("llmOverrideUserRequired"));
      return;
    }
    const limits = fromLimitsDraft(draft);
    if (adding && !hasLimits(limits) && Object.keys(local).length === 0) {
      setFormError(t("llmOverrideEmpty"));
      return;
    }
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    try {
      const label = adding ? name : target.name!;
      if (target.kind === "client") {
        await api.updateClientLimits(adding ? name : target.id!, limits);
      } else {
        const id = adding ? await userId(name) : target.id;
        if (!id) return;
        await api.updateUserLimits(id, limits);
      }
      addAlert(
        hasLimits(limits) ? t("llmOverrideSaved", { name: label }) : t("llmOverrideCleared", { name: label }),
        AlertVariant.success,
      );
      onSaved();
    } catch (error) {
      const e = error as Error;
      const kind = e instanceof LlmApiError ? limitKindOf(e.field, "limits") : undefined;
      if (kind) {
        setErrors({ [kind]: e.message });
      } else if (e instanceof LlmApiError && e.status === 404 && adding) {
        setWhoError(e.message);
      } else {
        setFormError(e.message);
      }
    } finally {
      setSaving(false);
    }
  };

  const title = adding
    ? target.kind === "client"
      ? t("llmOverrideAddClient")
      : t("llmOverrideAddUser")
    : target.kind === "client"
      ? t("llmOverrideClientTitle", { name: target.name })
      : t("llmOverrideUserTitle", { name: target.name });

  return (
    <Modal
      variant={ModalVariant.medium}
      title={title}
      isOpen
      onClose={onClose}
      data-testid="llm-override-modal"
      actions={[
        <Button
          key="save"
          variant="primary"
          type="submit"
          form="llm-override-form"
          isLoading={saving}
          isDisabled={saving}
          data-testid="llm-override-save"
        >
          {t("llmLevelSave")}
        </Button>,
        <Button key="cancel" variant="link" onClick={onClose} data-testid="llm-override-cancel">
          {t("llmLevelCancel")}
        </Button>,
      ]}
    >
      <Form id="llm-override-form" onSubmit={submit} data-testid="llm-override-form">
        {formError && (
          <Alert variant="danger" isInline title={t("llmOverrideSaveFailed")} data-testid="llm-override-form-error">
            {formError}
          </Alert>
        )}
        {adding && (
          <FormGroup
            label={target.kind === "client" ? t("llmOverrideClientId") : t("llmOverrideUsername")}
            isRequired
            fieldId="llm-override-who"
          >
            <TextInput
              id="llm-override-who"
              value={who}
              onChange={(_e, v) => {
                setWho(v);
                setWhoError(undefined);
              }}
              validated={whoError ? "error" : "default"}
              isRequired
              autoFocus
              data-testid="llm-override-who"
            />
            <FormHelperText>
              <HelperText>
                {whoError ? (
                  <HelperTextItem variant="error" data-testid="llm-override-who-error">
                    {whoError}
                  </HelperTextItem>
                ) : (
                  <HelperTextItem>
                    {target.kind === "client" ? t("llmOverrideClientIdHelp") : t("llmOverrideUsernameHelp")}
                  </HelperTextItem>
                )}
              </HelperText>
            </FormHelperText>
          </FormGroup>
        )}
        <LimitFields
          idPrefix="llm-override"
          title={t("llmLimitsTitle")}
          description={target.kind === "client" ? t("llmOverrideClientHelp") : t("llmOverrideUserHelp")}
          values={draft}
          errors={errors}
          onChange={set}
        />
      </Form>
    </Modal>
  );
};
