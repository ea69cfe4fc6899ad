// The Goals report in the editor.
import { HiddenLabel } from '../../components/ui';
import { KindSelect, RemoveButton, update, type ReportKind } from './form';

export const goals: ReportKind = {
  type: 'goals',
  label: 'Goals',
  description: 'Track page views and events against targets.',
  body: (f) => ({ goals: f.goals.filter((g) => g.value) }),
  Form: ({ f, set }) => (
    <fieldset className="stack">
      <legend>Goals</legend>
      {f.goals.map((g, i) => (
        <div className="row" key={i}>
          <KindSelect label={`Goal ${i + 1} type`} value={g.type} onChange={(type) => set({ goals: update(f.goals, i, { type }) })} />
          <HiddenLabel label={`Goal ${i + 1} value`}>{(id) => <input id={id} value={g.value} onChange={(e) => set({ goals: update(f.goals, i, { value: e.target.value }) })} />}</HiddenLabel>
          <HiddenLabel label={`Goal ${i + 1} target`}>
            {(id) => <input id={id} type="number" min={1} value={g.goal} className="narrow" onChange={(e) => set({ goals: update(f.goals, i, { goal: Number(e.target.value) }) })} />}
          </HiddenLabel>
          {f.goals.length > 1 && <RemoveButton label={`Remove goal ${i + 1}`} onClick={() => set({ goals: f.goals.filter((_, j) => j !== i) })} />}
        </div>
      ))}
      <button type="button" className="btn small" onClick={() => set({ goals: [...f.goals, { type: 'url', value: '', goal: 10 }] })}>
        + Add goal
      </button>
    </fieldset>
  ),
};
