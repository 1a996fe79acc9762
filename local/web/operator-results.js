/**
 * The questionnaire results panel: pick a questionnaire (the content's, from `/web-config.json`), see its
 * completions and, per question, the count per choice as bars or the average (`GET
 * /admin/questionnaires/{id}/results`), and download every completed response as CSV (`GET
 * /admin/questionnaires/{id}/responses` with `Accept: text/csv`).
 */
import { h, state } from "./core.js";
import { barList } from "./operator-charts.js";
import { admin, downloadCsv, failed, formatCount, notYet } from "./operator-client.js";

/** The content's definition of a questionnaire (titles of questions and choices), when the page knows it. */
function definition(id) {
  return state.config.questionnaires?.find((questionnaire) => questionnaire.id === id);
}

/** `[{value, count}]` out of a list or a `{value: count}` map. */
function choiceCounts(question) {
  const counts = question.counts ?? question.choices ?? question.options ?? question.answers;
  if (Array.isArray(counts))
    return counts.map((choice) => ({
      value: String(choice.value ?? choice.choice ?? choice.option ?? choice.label ?? "?"),
      label: choice.label,
      count: Number(choice.count ?? choice.n ?? 0),
    }));
  if (counts && typeof counts === "object")
    return Object.entries(counts).map(([value, count]) => ({ value, count: Number(count) }));
  return [];
}

/** One question's result: bars per choice, or the average, or the number of answers. */
function questionResult(question, known) {
  const id = String(question.id ?? question.questionId ?? "");
  const asked = known?.questions?.find((candidate) => candidate.id === id);
  const title = question.prompt ?? question.title ?? asked?.prompt ?? id;
  const answered = question.answered ?? question.responses ?? question.count;
  const counts = choiceCounts(question);
  const average = question.numbers?.average ?? question.average;
  const optionLabel = (value) => asked?.options?.find((option) => option.value === value)?.label ?? value;
  return h(
    "li",
    { class: "results-question", "data-question": id },
    counts.length > 0
      ? barList(
          title,
          counts.map((choice) => ({ label: choice.label ?? optionLabel(choice.value), value: choice.count })),
        )
      : h("p", { class: "results-title" }, title),
    typeof average === "number"
      ? h(
          "p",
          { class: "results-average" },
          `Average: ${average.toLocaleString("en", { maximumFractionDigits: 2 })}`,
        )
      : null,
    answered !== undefined ? h("p", { class: "hint" }, `${formatCount(answered)} answered`) : null,
  );
}

/** Draws a questionnaire's results. */
export function renderResults(data, id) {
  const known = definition(id);
  const questions = Array.isArray(data.questions) ? data.questions : [];
  return [
    h(
      "dl",
      { class: "op-tiles" },
      h(
        "div",
        { class: "op-tile" },
        h("dt", {}, "Completions"),
        h(
          "dd",
          { class: "results-completions" },
          formatCount(data.completions ?? data.completed ?? data.total),
        ),
      ),
      data.version !== undefined || known?.version !== undefined
        ? h(
            "div",
            { class: "op-tile" },
            h("dt", {}, "Version"),
            h("dd", {}, String(data.version ?? known?.version)),
          )
        : null,
    ),
    questions.length > 0
      ? h(
          "ol",
          { class: "results-questions" },
          questions.map((question) => questionResult(question, known)),
        )
      : h("p", { class: "hint" }, "No completed responses yet."),
  ];
}

/** Wires the results card; returns its loader. */
export function setupResults(section) {
  const body = section.querySelector(".op-body");
  const announce = section.querySelector(".op-announce");
  const select = /** @type {HTMLSelectElement} */ (section.querySelector("#results-questionnaire"));
  const csv = /** @type {HTMLButtonElement} */ (section.querySelector("#results-csv"));

  const fillChoices = () => {
    const questionnaires = state.config.questionnaires ?? [];
    const chosen = select.value;
    select.replaceChildren(
      ...questionnaires.map((questionnaire) =>
        h("option", { value: questionnaire.id }, `${questionnaire.title} (${questionnaire.id})`),
      ),
    );
    if (questionnaires.some((questionnaire) => questionnaire.id === chosen)) select.value = chosen;
    select.disabled = csv.disabled = questionnaires.length === 0;
  };

  let ticket = 0;
  const load = async () => {
    fillChoices();
    const id = select.value;
    if (!id) return body.replaceChildren(h("p", { class: "hint" }, "The content has no questionnaires."));
    const mine = ++ticket;
    const answer = await admin("GET", `/admin/questionnaires/${encodeURIComponent(id)}/results?lang=en`);
    if (mine !== ticket) return;
    if (answer.state === "missing")
      return body.replaceChildren(notYet("Questionnaire results are not available yet.", answer));
    if (answer.state === "error") return body.replaceChildren(failed(`the results of ${id}`, answer, load));
    body.replaceChildren(...renderResults(answer.data ?? {}, id));
  };

  csv.addEventListener("click", async () => {
    const id = select.value;
    if (!id) return;
    csv.disabled = true;
    announce.textContent = "Preparing the CSV…";
    const answer = await downloadCsv(
      `/admin/questionnaires/${encodeURIComponent(id)}/responses`,
      `${id}-responses.csv`,
    );
    csv.disabled = false;
    const rows = answer.state === "ok" ? answer.data.rows : 0;
    announce.textContent =
      answer.state === "ok"
        ? `Downloaded ${rows} ${rows === 1 ? "response" : "responses"} to ${id} as CSV.`
        : answer.state === "missing"
          ? "The CSV export is not available yet in this build."
          : `No CSV: ${answer.message}.`;
  });
  select.addEventListener("change", load);
  section.querySelector(".op-refresh").addEventListener("click", load);
  return { load, section };
}
