// Demo page logic. Message bodies arrive as HTML already rendered and escaped by the emulator;
// everything else (names, counts) is set with textContent.
(function () {
  "use strict";

  const query = new URLSearchParams(window.location.search);
  const view = {
    user: query.get("user") || "",
    channel: query.get("channel") || "",
    thread: query.get("thread") || "",
    tab: query.get("tab") === "home" ? "home" : "messages",
    highlight: query.get("ts") || "",
  };
  const rendered = { state: "", modalKey: "", homeKey: "" };
  const byId = (id) => document.getElementById(id);

  function toast(text) {
    const box = byId("toast");
    box.textContent = text;
    box.classList.remove("hidden");
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(() => box.classList.add("hidden"), 4000);
  }

  async function postJson(path, body) {
    let data = {};
    try {
      const reply = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      data = await reply.json().catch(() => ({}));
      if (!reply.ok || data.ok === false) {
        toast("The app answered " + (data.status || reply.status) + ": " + (data.error || data.body || "error"));
      }
    } catch (err) {
      toast("Emulator unreachable: " + err);
    }
    refresh();
    return data;
  }

  function stateUrl() {
    const params = new URLSearchParams({ channel: view.channel, user: view.user });
    if (view.thread) params.set("thread", view.thread);
    return "/_emulator/state?" + params.toString();
  }

  async function refresh() {
    try {
      const reply = await fetch(stateUrl(), { cache: "no-store" });
      const state = await reply.json();
      const key = JSON.stringify([state, view.tab]);
      if (key !== rendered.state) {
        rendered.state = key;
        render(state);
      }
    } catch (err) {
      byId("bot-status").textContent = "emulator unreachable";
    }
  }

  function render(state) {
    view.user = state.me;
    view.channel = state.channel;
    byId("team-name").textContent = state.team.name;
    renderUsers(state);
    renderChannels(state);
    renderTabs(state);
    renderTimeline(state);
    renderThread(state);
    renderHome(state);
    renderModal(state);
    const teams = byId("teams-link");
    teams.classList.toggle("hidden", !state.teams_url);
    if (state.teams_url) teams.href = state.teams_url;
    const status = byId("bot-status");
    status.textContent = state.bot_connected ? "● app connected" : "○ no app connected";
    status.classList.toggle("down", !state.bot_connected);
  }

  function renderUsers(state) {
    const select = byId("user-switcher");
    select.replaceChildren(
      ...state.users.map((user) => {
        const mine = user.id === state.me;
        const option = new Option(user.real_name, user.id, mine, mine);
        option.dataset.testid = "user-option";
        return option;
      })
    );
  }

  function renderChannels(state) {
    const list = byId("channel-list");
    list.replaceChildren(
      ...state.channels.map((channel) => {
        const link = document.createElement("a");
        link.href = "#";
        link.textContent = channel.name;
        link.dataset.channelId = channel.id;
        link.setAttribute("data-testid", "channel-link");
        link.classList.toggle("active", view.tab === "messages" && channel.id === state.channel);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          Object.assign(view, { channel: channel.id, thread: "", tab: "messages", highlight: "" });
          refresh();
        });
        const item = document.createElement("li");
        item.append(link);
        return item;
      })
    );
    const current = state.channels.find((c) => c.id === state.channel);
    byId("channel-title").textContent = view.tab === "home" ? "cachewarden" : current ? current.name : "";
    byId("composer-input").placeholder = "Message " + (current ? current.name : "") + " (or /cache-audit help)";
  }

  function renderTabs() {
    const home = view.tab === "home";
    byId("tab-home").classList.toggle("active", home);
    byId("tab-messages").classList.toggle("active", !home);
    byId("home-pane").classList.toggle("hidden", !home);
    byId("messages-pane").classList.toggle("hidden", home);
  }

  function messageElement(entry, inThread) {
    const row = document.createElement("div");
    row.className = "message" + (entry.ephemeral ? " ephemeral" : "");
    row.setAttribute("data-testid", "message");
    Object.assign(row.dataset, {
      ts: entry.ts,
      channel: entry.channel,
      user: entry.user,
      ephemeral: entry.ephemeral ? "true" : "false",
    });
    if (entry.ts === view.highlight) row.classList.add("highlight");
    const avatar = document.createElement("div");
    avatar.className = "avatar" + (entry.is_bot ? " bot" : "");
    avatar.textContent = (entry.author || "?").charAt(0).toUpperCase();
    const main = document.createElement("div");
    main.className = "message-main";
    main.append(metaLine(entry));
    if (entry.ephemeral) {
      const note = document.createElement("span");
      note.className = "ephemeral-note";
      note.setAttribute("data-testid", "ephemeral-note");
      note.textContent = "Only visible to you";
      main.append(note);
    }
    const body = document.createElement("div");
    body.className = "message-body";
    body.setAttribute("data-testid", "message-body");
    body.innerHTML = entry.html; // rendered and escaped server-side
    main.append(body);
    if (!inThread && entry.reply_count > 0) main.append(threadLink(entry));
    row.append(avatar, main);
    return row;
  }

  function metaLine(entry) {
    const meta = document.createElement("div");
    meta.className = "message-meta";
    const author = document.createElement("span");
    author.className = "author";
    author.setAttribute("data-testid", "message-author");
    author.textContent = entry.author;
    meta.append(author);
    if (entry.is_bot) {
      const badge = document.createElement("span");
      badge.className = "app-badge";
      badge.textContent = "APP";
      meta.append(badge);
    }
    const time = document.createElement("span");
    time.textContent = new Date(parseFloat(entry.ts) * 1000).toLocaleTimeString();
    meta.append(time);
    if (entry.edited) meta.append(" (edited)");
    return meta;
  }

  function threadLink(entry) {
    const link = document.createElement("a");
    link.className = "thread-link";
    link.setAttribute("data-testid", "thread-link");
    link.textContent = entry.reply_count + (entry.reply_count === 1 ? " reply" : " replies");
    link.addEventListener("click", () => {
      view.thread = entry.ts;
      refresh();
    });
    return link;
  }

  function fillList(list, entries, inThread) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...entries.map((entry) => messageElement(entry, inThread)));
    const marked = list.querySelector(".message.highlight");
    if (marked) marked.scrollIntoView({ block: "center" });
    else if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function renderTimeline(state) {
    fillList(byId("message-list"), state.timeline, false);
  }

  function renderThread(state) {
    const panel = byId("thread-panel");
    panel.classList.toggle("hidden", !state.thread || view.tab === "home");
    if (!state.thread) {
      view.thread = "";
      return;
    }
    panel.dataset.threadTs = state.thread.ts;
    fillList(byId("thread-list"), state.thread.messages, true);
  }

  function renderHome(state) {
    const home = byId("home-view");
    const key = state.home ? state.home.view_id + state.home.html : "";
    if (key === rendered.homeKey) return;
    rendered.homeKey = key;
    home.dataset.viewId = state.home ? state.home.view_id : "";
    home.innerHTML = state.home ? state.home.html : "<p>The app has not published a Home tab yet.</p>";
  }

  function renderModal(state) {
    const modal = byId("modal");
    modal.classList.toggle("hidden", !state.modal);
    if (!state.modal) {
      rendered.modalKey = "";
      return;
    }
    const key = state.modal.view_id + state.modal.html;
    if (key !== rendered.modalKey) {
      rendered.modalKey = key; // re-render only on change, or typing would be wiped every second
      modal.dataset.viewId = state.modal.view_id;
      byId("modal-title").innerHTML = state.modal.title;
      byId("modal-submit").innerHTML = state.modal.submit;
      byId("modal-submit").classList.toggle("hidden", !state.modal.submit);
      byId("modal-close").innerHTML = state.modal.close;
      byId("modal-body").innerHTML = state.modal.html;
    }
    showModalErrors(state.modal.errors || {});
  }

  function showModalErrors(errors) {
    document.querySelectorAll("#modal-body .block-error").forEach((node) => node.remove());
    const general = [];
    Object.entries(errors).forEach(([blockId, message]) => {
      const block = document.querySelector('#modal-body [data-block-id="' + CSS.escape(blockId) + '"]');
      const line = document.createElement("div");
      line.className = "block-error";
      line.setAttribute("data-testid", "modal-error");
      line.textContent = message;
      if (block) block.append(line);
      else general.push(message);
    });
    byId("modal-errors").textContent = general.join(" ");
  }

  function modalValues() {
    const values = {};
    document.querySelectorAll("#modal-body [data-action-id]").forEach((node) => {
      const blockId = node.dataset.blockId;
      const actionId = node.dataset.actionId;
      const type = node.dataset.elementType;
      values[blockId] = values[blockId] || {};
      if (type === "plain_text_input") {
        values[blockId][actionId] = { type: type, value: node.value };
      } else if (type === "static_select") {
        const text = node.selectedOptions[0] ? node.selectedOptions[0].textContent : "";
        values[blockId][actionId] = node.value
          ? { type: type, selected_option: { value: node.value, text: { type: "plain_text", text: text } } }
          : { type: type, selected_option: null };
      } else if (type === "checkboxes" || type === "radio_buttons") {
        const entry = values[blockId][actionId] || { type: type, selected_options: [] };
        if (node.checked) entry.selected_options.push({ value: node.value });
        if (type === "radio_buttons") entry.selected_option = entry.selected_options[0] || null;
        values[blockId][actionId] = entry;
      }
    });
    return values;
  }

  function sendAction(element, value) {
    const body = { user_id: view.user, action_id: element.dataset.actionId, value: value };
    const message = element.closest("[data-testid=message]");
    const holder = element.closest("#home-view, #modal");
    if (message) {
      Object.assign(body, {
        channel_id: message.dataset.channel,
        message_ts: message.dataset.ts,
        ephemeral: message.dataset.ephemeral === "true",
      });
    } else if (holder) {
      body.view_id = holder.dataset.viewId;
    } else {
      return;
    }
    element.disabled = true;
    postJson("/_emulator/click", body).finally(() => {
      element.disabled = false;
    });
  }

  function sendText(text, threadTs) {
    if (!text) return;
    if (text.startsWith("/")) {
      postJson("/_emulator/command", { text: text, user_id: view.user, channel_id: view.channel });
    } else {
      postJson("/_emulator/message", {
        text: text,
        user_id: view.user,
        channel_id: view.channel,
        thread_ts: threadTs || "",
      });
    }
  }

  function openHome() {
    view.tab = "home";
    view.thread = "";
    postJson("/_emulator/home_opened", { user_id: view.user });
  }

  let pendingConfirm = null;

  // Slack's `confirm` object: the click is sent only after the dialog's confirm button.
  function askFirst(button) {
    pendingConfirm = button;
    byId("confirm-title").innerHTML = button.dataset.confirmTitle;
    byId("confirm-text").innerHTML = button.dataset.confirmText;
    byId("confirm-yes").innerHTML = button.dataset.confirmYes;
    byId("confirm-no").innerHTML = button.dataset.confirmNo;
    const danger = button.dataset.confirmStyle === "danger";
    byId("confirm-yes").className = "btn " + (danger ? "btn-danger" : "btn-primary");
    byId("confirm").classList.remove("hidden");
  }

  function closeConfirm() {
    pendingConfirm = null;
    byId("confirm").classList.add("hidden");
  }

  function wireUp() {
    document.addEventListener("click", (event) => {
      // A Slack permalink opens that message here, as it would in the Slack client.
      const anchor = event.target.closest("a[href]");
      const match = anchor && /^https:\/\/[^/]+\.slack\.com(\/archives\/.*)$/.exec(anchor.href);
      if (match) {
        event.preventDefault();
        window.location.href = match[1];
      }
    });
    document.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action-id]");
      if (!button) return;
      if (button.dataset.url) window.open(button.dataset.url, "_blank", "noopener");
      if (button.dataset.confirmTitle !== undefined) {
        askFirst(button);
        return;
      }
      sendAction(button, button.dataset.value);
    });
    byId("confirm-no").addEventListener("click", () => closeConfirm());
    byId("confirm-yes").addEventListener("click", () => {
      const button = pendingConfirm;
      closeConfirm();
      if (button) sendAction(button, button.dataset.value);
    });
    document.addEventListener("change", (event) => {
      const select = event.target.closest("select[data-action-id]");
      if (select && !select.closest("#modal")) sendAction(select, select.value);
    });
    byId("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = byId("composer-input");
      sendText(input.value.trim(), "");
      input.value = "";
    });
    byId("thread-composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = byId("thread-input");
      sendText(input.value.trim(), view.thread);
      input.value = "";
    });
    byId("user-switcher").addEventListener("change", (event) => {
      view.user = event.target.value;
      view.thread = "";
      if (view.tab === "home") openHome();
      else refresh();
    });
    byId("thread-close").addEventListener("click", () => {
      view.thread = "";
      refresh();
    });
    byId("tab-messages").addEventListener("click", () => {
      view.tab = "messages";
      refresh();
    });
    byId("tab-home").addEventListener("click", openHome);
    byId("home-link").addEventListener("click", (event) => {
      event.preventDefault();
      openHome();
    });
    byId("modal-submit").addEventListener("click", () => {
      const viewId = byId("modal").dataset.viewId;
      postJson("/_emulator/submit", { view_id: viewId, user_id: view.user, values: modalValues() });
    });
    byId("modal-close").addEventListener("click", () => {
      postJson("/_emulator/close_view", { view_id: byId("modal").dataset.viewId });
    });
  }

  wireUp();
  if (view.tab === "home" && view.user) openHome();
  else refresh();
  window.setInterval(refresh, 1000);
})();
