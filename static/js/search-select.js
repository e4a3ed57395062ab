/*
 * portal.widgets.SearchSelectMultiple, enhanced: an ARIA 1.2 combobox (an editable input that
 * controls a listbox) fed by the widget's search endpoint, and the chosen objects as chips.
 *
 * - Typing searches (debounced) within the organisation chosen in the form's scope field;
 *   ArrowDown/ArrowUp move through the matches (aria-activedescendant keeps focus in the
 *   input), Enter picks the active one, Escape closes the list (or clears the text), Tab
 *   leaves it. A click picks too.
 * - A picked object becomes a chip: its name, a hidden input with the field's name and the
 *   object's id (so the form posts what it always did), and a "Remove …" button.
 * - Changes are announced in the widget's status region.
 *
 * Without this script the widget still works (checkboxes and a "Find" button that posts the
 * form). Loaded as a static file: the Content-Security-Policy forbids inline scripts.
 */
(function () {
  "use strict";

  var DELAY = 200;

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function SearchSelect(root) {
    this.root = root;
    this.name = root.dataset.name;
    this.input = root.querySelector(".search-select__box input[type=text]");
    this.listbox = root.querySelector("[role=listbox]");
    this.chosenList = root.querySelector(".search-select__chosen");
    this.none = root.querySelector(".search-select__none");
    this.status = root.querySelector(".search-select__status");
    this.scope = document.getElementById(root.dataset.scopeField);
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.request = null;
    this.enhance();
  }

  SearchSelect.prototype.text = function (key, values) {
    return format(this.root.getAttribute("data-text-" + key), values || {});
  };

  SearchSelect.prototype.enhance = function () {
    var self = this;
    var find = this.root.querySelector(".search-select__find");
    if (find) {
      find.remove();
    }
    // The typed text is the script's, not the form's: without a name it is not posted.
    this.input.removeAttribute("name");
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", this.listbox.id);
    this.root.classList.add("search-select--enhanced");

    // The chosen checkboxes become chips; unticked ones (matches of a search made without
    // the script) are dropped.
    this.root.querySelectorAll("input[type=checkbox][name='" + this.name + "']").forEach(
      function (box) {
        var label = self.root.querySelector("label[for='" + box.id + "']");
        if (box.checked) {
          self.addChip(box.value, label ? label.textContent.trim() : box.value, false);
        }
        var item = box.closest(".search-select__item") || box.closest(".form-group-checkbox");
        if (item) {
          item.remove();
        }
      }
    );
    var found = this.root.querySelector(".search-select__found");
    if (found) {
      found.remove();
    }

    this.input.addEventListener("input", function () {
      self.schedule();
    });
    this.input.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    this.input.addEventListener("blur", function () {
      // After a click on an option has been handled.
      window.setTimeout(function () {
        self.close();
      }, 150);
    });
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keeps the focus in the input
    });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        self.pick(self.options.indexOf(option));
      }
    });
    this.chosenList.addEventListener("click", function (event) {
      var button = event.target.closest(".search-select__remove");
      if (button) {
        self.removeChip(button.closest("li"));
      }
    });
    if (this.scope) {
      this.scope.addEventListener("change", function () {
        if (self.chosenList.children.length) {
          self.chosenList.replaceChildren();
          self.updateNone();
          self.announce(self.text("scope-changed"));
        }
        self.close();
      });
    }
  };

  SearchSelect.prototype.chosenIds = function () {
    return Array.prototype.map.call(
      this.chosenList.querySelectorAll("input[type=hidden]"),
      function (input) {
        return input.value;
      }
    );
  };

  SearchSelect.prototype.addChip = function (id, label, announce) {
    var item = document.createElement("li");
    item.className = "search-select__chip";
    var name = document.createElement("span");
    name.textContent = label;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = this.name;
    hidden.value = id;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "search-select__remove";
    remove.setAttribute("aria-label", this.text("remove", { name: label }));
    remove.textContent = "×";
    item.append(name, hidden, remove);
    item.dataset.label = label;
    this.chosenList.append(item);
    this.updateNone();
    if (announce) {
      this.announce(this.text("added", { name: label }));
    }
  };

  SearchSelect.prototype.removeChip = function (item) {
    var label = item.dataset.label;
    item.remove();
    this.updateNone();
    this.input.focus();
    this.announce(this.text("removed", { name: label }));
  };

  SearchSelect.prototype.updateNone = function () {
    if (this.none) {
      this.none.hidden = this.chosenList.children.length > 0;
    }
  };

  SearchSelect.prototype.announce = function (message) {
    // A change of text is what a live region reads; clear first so a repeat is read again.
    var status = this.status;
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  };

  SearchSelect.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.search();
    }, DELAY);
  };

  SearchSelect.prototype.search = function () {
    var self = this;
    var scope = this.scope ? this.scope.value : "";
    if (!scope) {
      this.close();
      this.announce(this.text("scope-first"));
      return;
    }
    var url = new URL(this.root.dataset.searchUrl, window.location.href);
    url.searchParams.set(this.root.dataset.scopeParam, scope);
    url.searchParams.set("q", this.input.value.trim());
    if (this.request) {
      this.request.abort();
    }
    var request = new AbortController();
    this.request = request;
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: request.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        if (self.request === request) {
          self.show(answer.results || [], Boolean(answer.more));
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          self.close();
          self.announce(self.text("failed"));
        }
      });
  };

  SearchSelect.prototype.show = function (results, more) {
    var self = this;
    var chosen = this.chosenIds();
    this.listbox.replaceChildren();
    this.options = [];
    this.active = -1;
    results
      .filter(function (result) {
        return chosen.indexOf(String(result.id)) === -1;
      })
      .forEach(function (result) {
        var option = document.createElement("li");
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.id = self.listbox.id + "_" + result.id;
        option.dataset.value = String(result.id);
        option.dataset.label = result.label;
        var label = document.createElement("span");
        label.className = "search-select__label";
        label.textContent = result.label;
        option.append(label);
        if (result.detail) {
          var detail = document.createElement("span");
          detail.className = "search-select__detail";
          detail.textContent = result.detail;
          option.append(detail);
        }
        self.listbox.append(option);
        self.options.push(option);
      });
    if (!this.options.length) {
      this.close();
      this.announce(this.text("nothing"));
      return;
    }
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    var message = this.text("results", { count: this.options.length });
    if (more) {
      message += " " + this.text("more", { count: results.length });
    }
    this.announce(message);
  };

  SearchSelect.prototype.isOpen = function () {
    return !this.listbox.hidden;
  };

  SearchSelect.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  SearchSelect.prototype.move = function (to) {
    if (!this.options.length) {
      return;
    }
    var index = (to + this.options.length) % this.options.length;
    if (this.active >= 0) {
      this.options[this.active].setAttribute("aria-selected", "false");
      this.options[this.active].classList.remove("search-select__option--active");
    }
    this.active = index;
    var option = this.options[index];
    option.setAttribute("aria-selected", "true");
    option.classList.add("search-select__option--active");
    this.input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };

  SearchSelect.prototype.pick = function (index) {
    var option = this.options[index];
    if (!option) {
      return;
    }
    this.addChip(option.dataset.value, option.dataset.label, true);
    this.input.value = "";
    this.close();
    this.input.focus();
  };

  SearchSelect.prototype.onKey = function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (this.isOpen()) {
          this.move(this.active + 1);
        } else {
          this.search();
        }
        break;
      case "ArrowUp":
        if (this.isOpen()) {
          event.preventDefault();
          this.move(this.active - 1);
        }
        break;
      case "Enter":
        // Enter in the search box never posts the form.
        event.preventDefault();
        if (this.isOpen() && this.active >= 0) {
          this.pick(this.active);
        } else {
          window.clearTimeout(this.timer);
          this.search();
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  function start() {
    document.querySelectorAll("[data-search-select]").forEach(function (root) {
      if (!root.searchSelect) {
        root.searchSelect = new SearchSelect(root);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
