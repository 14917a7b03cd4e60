// The Teams view of the demo page. Card and message bodies arrive as HTML rendered and escaped by
// the emulator (sandbox/teams_connector/render.py); names and counts are set with textContent.
(function () {
  "use strict";

  const query = new URLSearchParams(window.location.search);
  const view = {
    user: query.get("user") || "",
    conversation: query.get("conversation") || "",
    expanded: {}, // root post id -> true once its earlier replies are shown
    opened: {}, // message id + "/" + show-card id -> true while that Action.ShowCard is open
  };
  const SHOWN_REPLIES = 3;
  const rendered = { key: "" };
  const byId = (id) => document.getElementById(id);

  function toast(text) {
    if (!text) return;
    const box = byId("teams-toast");
    box.textContent = text;
    box.classList.remove("hidden");
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(() => box.classList.add("hidden"), 5000);
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
        toast("The bot answered " + (data.status || reply.status) + (data.error ? ": " + data.error : ""));
      } else if (data.message) {
        toast(data.message);
      }
    } catch (err) {
      toast("Emulator unreachable: " + err);
    }
    refresh();
    return data;
  }

  async function refresh() {
    const params = new URLSearchParams({ user: view.user, conversation: view.conversation });
    try {
      const reply = await fetch("/_emulator/teams/state?" + params.toString(), { cache: "no-store" });
      const state = await reply.json();
      const key = JSON.stringify(state);
      if (key !== rendered.key) {
        rendered.key = key;
        render(state);
      }
    } catch (err) {
      byId("teams-status").textContent = "emulator unreachable";
    }
  }

  function render(state) {
    view.user = state.me;
    view.conversation = state.conversation;
    renderPeople(state);
    renderConversations(state);
    const link = byId("slack-link");
    link.classList.toggle("hidden", !state.slack_url);
    if (state.slack_url) link.href = state.slack_url;
    const current = state.conversations.find((c) => c.id === state.conversation);
    byId("teams-title").textContent = current ? current.name : "";
    byId("teams-hint").textContent = state.kind === "channel"
      ? "Mention is added for you: type audit, explain CW-101, alerts on, help"
      : "A personal chat with the bot: type audit, log, pending, help";
    byId("teams-input").placeholder = state.kind === "channel" ? "Start a new post" : "Type a message";
    const status = byId("teams-status");
    status.textContent = state.bot_connected ? "● cachewarden connected" : "○ no bot connected";
    status.classList.toggle("down", !state.bot_connected);
    renderPosts(state);
  }

  function renderPeople(state) {
    byId("teams-user").replaceChildren(
      ...state.people.map((p) => new Option(p.name, p.id, p.id === state.me, p.id === state.me))
    );
  }

  function renderConversations(state) {
    byId("teams-conversations").replaceChildren(
      ...state.conversations.map((c) => {
        const link = document.createElement("a");
        link.href = "#";
        link.textContent = c.name;
        link.setAttribute("data-testid", "teams-conversation");
        link.classList.toggle("active", c.id === state.conversation);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          view.conversation = c.id;
          byId("teams-toast").classList.add("hidden");
          refresh();
        });
        const item = document.createElement("li");
        item.append(link);
        return item;
      })
    );
  }

  function messageElement(entry, me, reply) {
    const row = document.createElement("div");
    row.className = "message" + (reply ? " reply" : "") + (!entry.is_bot && entry.author_is_me ? " mine" : "");
    row.setAttribute("data-testid", reply ? "teams-reply" : "teams-message");
    row.dataset.id = entry.id;
    row.dataset.conversation = entry.conversation;
    const avatar = document.createElement("div");
    avatar.className = "avatar" + (entry.is_bot ? " bot" : "");
    avatar.textContent = (entry.author || "?").split(" ").map((w) => w.charAt(0)).join("").slice(0, 2).toUpperCase();
    const main = document.createElement("div");
    main.className = "message-main";
    const meta = document.createElement("div");
    meta.className = "meta";
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = entry.author;
    meta.append(author);
    if (entry.is_bot) {
      const badge = document.createElement("span");
      badge.className = "app-badge";
      badge.textContent = "Bot";
      meta.append(badge);
    }
    if (entry.at) meta.append(new Date(entry.at * 1000).toLocaleTimeString());
    if (entry.edited) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = "Updated";
      meta.append(edited);
    }
    const body = document.createElement("div");
    body.className = "message-body";
    body.innerHTML = entry.html; // rendered and escaped server-side
    main.append(meta, body);
    row.append(avatar, main);
    return row;
  }

  function moreReplies(post, hidden) {
    const link = document.createElement("button");
    link.type = "button";
    link.className = "more-replies";
    link.setAttribute("data-testid", "teams-more-replies");
    link.textContent = "Show " + hidden + " earlier " + (hidden === 1 ? "reply" : "replies");
    link.addEventListener("click", () => {
      view.expanded[post.id] = true;
      rendered.key = "";
      refresh();
    });
    return link;
  }

  function replyBox(post) {
    const form = document.createElement("form");
    form.className = "reply-box";
    form.dataset.root = post.id;
    const input = document.createElement("input");
    input.placeholder = "Reply";
    input.setAttribute("data-testid", "teams-reply-input");
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Reply";
    form.append(input, button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(input.value.trim(), post.id);
      input.value = "";
    });
    return form;
  }

  // Typing in a card or a reply box survives the once-a-second redraw.
  function keepTyping(list) {
    const kept = {};
    list.querySelectorAll("[data-input-id], .reply-box input").forEach((node) => {
      const message = node.closest("[data-id]") || node.closest("[data-root]");
      const id = (message ? message.dataset.id || message.dataset.root : "") + "/" + (node.dataset.inputId || "reply");
      if (node.value) kept[id] = node.value;
      if (document.activeElement === node) kept.__focus = id;
    });
    return kept;
  }

  function restoreTyping(list, kept) {
    list.querySelectorAll("[data-input-id], .reply-box input").forEach((node) => {
      const message = node.closest("[data-id]") || node.closest("[data-root]");
      const id = (message ? message.dataset.id || message.dataset.root : "") + "/" + (node.dataset.inputId || "reply");
      if (kept[id] !== undefined) node.value = kept[id];
      if (kept.__focus === id) node.focus();
    });
  }

  function renderPosts(state) {
    const list = byId("teams-posts");
    const kept = keepTyping(list);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    list.classList.toggle("chat", state.kind !== "channel");
    const me = state.people.find((p) => p.id === state.me);
    list.replaceChildren(
      ...state.posts.map((post) => {
        const box = document.createElement("article");
        box.className = "post";
        box.setAttribute("data-testid", "teams-post");
        post.author_is_me = me && post.author === me.name;
        box.append(messageElement(post, state.me, false));
        if (state.kind === "channel") {
          const replies = post.replies || [];
          // Like Teams, a long chain shows its latest replies; the rest open on request.
          const hidden = view.expanded[post.id] ? 0 : Math.max(replies.length - SHOWN_REPLIES, 0);
          if (hidden > 0) box.append(moreReplies(post, hidden));
          replies.slice(hidden).forEach((r) => box.append(messageElement(r, state.me, true)));
          box.append(replyBox(post));
        }
        return box;
      })
    );
    restoreTyping(list, kept);
    restoreShown(list);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function send(text, root) {
    if (!text) return;
    postJson("/_emulator/teams/message", {
      text: text, user: view.user, conversation: view.conversation, thread: root || "",
    });
  }

  // Action.ShowCard: the button opens its card under the button row; opening one closes the
  // others of that row, and a second click closes it, as in Teams.
  function shownKey(node) {
    const message = node.closest("[data-id]");
    return (message ? message.dataset.id : "") + "/" + (node.dataset.showcard || node.dataset.showcardPanel);
  }

  function setShown(button, open) {
    const card = button.closest(".ac-card");
    if (!card) return;
    const panel = card.querySelector('[data-showcard-panel="' + button.dataset.showcard + '"]');
    if (!panel) return;
    panel.classList.toggle("hidden", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.classList.toggle("ac-btn-open", open);
    view.opened[shownKey(button)] = open;
  }

  function toggleShown(button) {
    const open = button.getAttribute("aria-expanded") !== "true";
    const row = button.closest(".ac-actions");
    if (open && row) {
      row.querySelectorAll("button[data-showcard]").forEach((other) => {
        if (other !== button) setShown(other, false);
      });
    }
    setShown(button, open);
    if (open) {
      const card = button.closest(".ac-card");
      const panel = card && card.querySelector('[data-showcard-panel="' + button.dataset.showcard + '"]');
      const field = panel && panel.querySelector("[data-input-id]");
      if (field) field.focus();
    }
  }

  function restoreShown(list) {
    list.querySelectorAll("button[data-showcard]").forEach((button) => {
      if (view.opened[shownKey(button)]) setShown(button, true);
    });
  }

  // Universal Actions send the inputs of the action's own card and of the cards around it
  // (a form inside an Action.ShowCard also sends the main card's inputs), not other panels'.
  function cardInputs(button) {
    const data = {};
    let card = button.closest(".ac-card");
    while (card) {
      card.querySelectorAll("[data-input-id]").forEach((node) => {
        if (node.closest(".ac-card") === card && !(node.dataset.inputId in data)) {
          data[node.dataset.inputId] = node.value;
        }
      });
      card = card.parentElement ? card.parentElement.closest(".ac-card") : null;
    }
    return data;
  }

  function click(button) {
    const message = button.closest("[data-id]");
    if (!message) return;
    const data = Object.assign(JSON.parse(button.dataset.data || "{}"), cardInputs(button));
    button.disabled = true;
    postJson("/_emulator/teams/click", {
      user: view.user,
      conversation: message.dataset.conversation,
      activity_id: message.dataset.id,
      verb: button.dataset.verb,
      data: data,
    }).finally(() => {
      button.disabled = false;
    });
  }

  document.addEventListener("click", (event) => {
    const shown = event.target.closest("button[data-showcard]");
    if (shown) {
      toggleShown(shown);
      return;
    }
    const button = event.target.closest("button[data-verb]");
    if (button) click(button);
  });
  byId("teams-composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("teams-input");
    send(input.value.trim(), "");
    input.value = "";
  });
  byId("teams-user").addEventListener("change", (event) => {
    view.user = event.target.value;
    view.opened = {}; // each person has their own Teams client: nothing is open for them yet
    if (view.conversation.startsWith("a:")) view.conversation = "";
    refresh();
  });
  refresh();
  window.setInterval(refresh, 1000);
})();
