/**
 * Conversion per step per breakdown value (d3 grouped bars), the privacy guard's noise drawn as
 * error bars of ±2 standard deviations. Each bar is labelled with its users.
 */
import * as d3 from 'd3';
import type { FunnelAnswer } from '../api.js';
import { seriesColors } from './colors.js';

const margin = { top: 24, right: 16, bottom: 48, left: 52 };

export function funnelChart(answer: FunnelAnswer, options: { width?: number; height?: number } = {}): SVGSVGElement {
  const width = options.width ?? 900;
  const height = options.height ?? 300;
  const steps = answer.breakdowns[0]?.steps.map((step) => `${step.step + 1}. ${step.name}`) ?? [];
  const groups = answer.breakdowns.map((entry) => entry.breakdown ?? '(all)');
  const x = d3.scaleBand().domain(steps).range([margin.left, width - margin.right]).padding(0.2);
  const inner = d3.scaleBand().domain(groups).range([0, x.bandwidth()]).padding(0.08);
  const maximum = d3.max(answer.breakdowns, (entry) => d3.max(entry.steps, (step) => step.users + 2 * step.noiseSd)) ?? 1;
  const y = d3.scaleLinear().domain([0, maximum || 1]).nice().range([height - margin.bottom, margin.top]);
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('class', 'chart funnel-chart').attr('role', 'img')
    .attr('aria-label', `Funnel: users per step for ${groups.join(', ')}`);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom})`).call(d3.axisBottom(x));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(5, 's'));
  answer.breakdowns.forEach((entry, groupIndex) => {
    const group = groups[groupIndex]!;
    const color = seriesColors[groupIndex % seriesColors.length]!;
    const bars = svg.append('g').attr('class', 'breakdown').attr('data-breakdown', group);
    for (const step of entry.steps) {
      const left = x(`${step.step + 1}. ${step.name}`)! + inner(group)!;
      const bar = bars.append('g').attr('class', 'step').attr('data-step', step.step).attr('data-users', step.users);
      bar.append('rect').attr('x', left).attr('width', inner.bandwidth()).attr('y', y(step.users)).attr('height', y(0) - y(step.users))
        .attr('fill', color).attr('fill-opacity', step.suppressed ? 0.25 : 0.9)
        .append('title').text(`${group}, step ${step.step + 1}: ${step.suppressed ? 'too few people to show' : `${step.users} users`}`);
      if (step.noiseSd > 0) {
        const center = left + inner.bandwidth() / 2;
        const low = y(Math.max(0, step.users - 2 * step.noiseSd));
        const high = y(step.users + 2 * step.noiseSd);
        const error = bar.append('g').attr('class', 'error-bar');
        error.append('line').attr('x1', center).attr('x2', center).attr('y1', low).attr('y2', high);
        error.append('line').attr('x1', center - 5).attr('x2', center + 5).attr('y1', low).attr('y2', low);
        error.append('line').attr('x1', center - 5).attr('x2', center + 5).attr('y1', high).attr('y2', high);
      }
      bar.append('text').attr('class', 'bar-label').attr('x', left + inner.bandwidth() / 2).attr('y', y(step.users) - 4).attr('text-anchor', 'middle')
        .text(step.suppressed ? '*' : String(step.users));
    }
  });
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${margin.left},${height - 14})`);
  groups.forEach((group, index) => {
    const item = legend.append('g').attr('transform', `translate(${index * 110},0)`);
    item.append('rect').attr('width', 10).attr('height', 10).attr('y', -9).attr('fill', seriesColors[index % seriesColors.length]!);
    item.append('text').attr('x', 14).text(group);
  });
  return svg.node()!;
}
